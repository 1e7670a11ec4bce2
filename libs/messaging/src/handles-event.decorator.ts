import { SetMetadata } from '@nestjs/common';
import type { EventDefinition } from '@storefront/contracts';

export const HANDLES_EVENT = Symbol('storefront:handles-event');

export interface HandlesEventMetadata {
  readonly definitions: readonly EventDefinition[];
  /** Durable consumer the handler belongs to; handlers sharing one share its position in the stream. */
  readonly consumer: string;
  /**
   * Most messages the consumer applies in one transaction (EventConsumer's maxGroup; the smallest
   * any of its handlers asks for). 1 for a handler that calls another system inside its
   * transaction: in a group, one aggregate's locks would be held through the others' calls, and two
   * replicas' groups would wait on each other's locks.
   */
  readonly maxGroup?: number;
  /**
   * Groups the consumer applies side by side, by aggregate id (EventConsumer's lanes; the smallest
   * any of its handlers asks for; 1 by default). Only for handlers whose transactions for different
   * aggregates touch no common rows: two lanes' transactions run at the same time.
   */
  readonly lanes?: number;
}

/**
 * Declares a provider method as the handler of an integration event:
 *
 *   @HandlesEvent(StockChangedV1, { consumer: 'catalog-availability' })
 *   async onStockChanged(event: EnvelopeOf<typeof StockChangedV1>, tx: Prisma.TransactionClient) { ... }
 *
 * The method runs inside a transaction with the inbox record, so its effect happens once. Given a
 * list of definitions, the method handles each of them and gets the definition as third argument.
 */
export function HandlesEvent(
  definition: EventDefinition | readonly EventDefinition[],
  options: { consumer: string; maxGroup?: number; lanes?: number },
): MethodDecorator {
  const definitions = Array.isArray(definition) ? definition : [definition as EventDefinition];
  return SetMetadata<symbol, HandlesEventMetadata>(HANDLES_EVENT, { definitions, ...options });
}
