/**
 * The invariants every experiment is judged by, local (`pnpm chaos`) and on a cluster (the
 * `invariants` Job). The ids are referenced by the chaos manifests' `chaos.storefront.dev/invariants`
 * annotations, so they never change meaning; a new one gets a new id.
 */
export const INVARIANTS = [
  {
    id: 'accepted-orders-recorded',
    statement: 'every order the gateway accepted is stored with its lines and Idempotency-Key, and the gateway answers it',
  },
  {
    id: 'orders-final',
    statement: 'every order placed until the check began is confirmed, cancelled or rejected within the settle time',
  },
  {
    id: 'stock-conserved',
    statement:
      'per SKU no counter is negative, reserved and sold equal the held and committed reservations, and initial + restocks = available + reserved + sold',
  },
  {
    id: 'sold-matches-confirmed',
    statement: 'per SKU, sold = the quantities of confirmed orders (plus orders still being confirmed whose stock is committed)',
  },
  {
    id: 'captured-matches-confirmed',
    statement:
      'every confirmed order is captured once for its total, nothing else is captured, and the provider captured each hold at most once',
  },
  {
    id: 'no-open-authorization',
    statement: 'no cancelled or rejected order leaves money held: no authorized or pending payment, no held authorization at the provider',
  },
  {
    id: 'order-history-converged',
    statement: 'the order history (read model) has every order with the write side’s status and total',
  },
  {
    id: 'availability-converged',
    statement: 'the catalog’s availability (read model) equals inventory’s stock for every SKU',
  },
  {
    id: 'outboxes-drained',
    statement: 'every service’s outbox has published every event written until the check began',
  },
  {
    id: 'consumers-drained',
    statement: 'every durable JetStream consumer has nothing pending and nothing unacknowledged',
  },
  {
    id: 'dead-letters-explained',
    statement: 'every dead letter says why it was refused (a broken contract or a domain refusal), never an outage',
  },
] as const;

export type InvariantId = (typeof INVARIANTS)[number]['id'];

export const INVARIANT_IDS: readonly InvariantId[] = INVARIANTS.map((invariant) => invariant.id);

export function isInvariantId(value: string): value is InvariantId {
  return (INVARIANT_IDS as readonly string[]).includes(value);
}
