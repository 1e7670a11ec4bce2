/**
 * Base of every aggregate: it records the domain events of its transitions, and the repository that
 * saves it pulls them (once) into the outbox of the same transaction.
 */
export abstract class AggregateRoot<TEvent> {
  private pending: TEvent[] = [];

  /** The events recorded since the last pull, oldest first; the aggregate forgets them. */
  pullEvents(): TEvent[] {
    const events = this.pending;
    this.pending = [];
    return events;
  }

  protected record(event: TEvent): void {
    this.pending.push(event);
  }
}
