import type { InvariantId } from './invariants';
import type { OrderRow, Snapshot } from './snapshot';

export const FINAL_STATUSES: ReadonlySet<string> = new Set(['confirmed', 'cancelled', 'rejected']);

export interface Violation {
  readonly invariant: InvariantId;
  /** What it is about: an order id, a SKU, a service, a consumer, a dead letter. */
  readonly subject: string;
  readonly message: string;
}

/** What the rules know beyond the snapshot. */
interface RuleContext {
  /** Orders placed until then are in scope; later ones may still be under way. */
  readonly until: Date;
  /** Orders the caller saw accepted (201 with an id); without them, every order in scope. */
  readonly acceptedOrderIds?: readonly string[] | undefined;
  /** Per SKU, initial stock + restocks, when the caller knows them (a chaos run records them). */
  readonly stockTotals?: Readonly<Record<string, number>> | undefined;
  /** Accepted orders the gateway did not answer (GET /api/orders/:id), by id, with why. */
  readonly unanswered: ReadonlyMap<string, string>;
}

interface RuleOutcome {
  /** How many things the rule looked at (orders, SKUs, consumers…), for the table. */
  readonly checked: number;
  readonly violations: Violation[];
}

type Rule = (snapshot: Snapshot, context: RuleContext) => RuleOutcome;

const inScope = (order: OrderRow, until: Date) => order.createdAt.getTime() <= until.getTime();
const quantitiesBySku = (orders: Iterable<OrderRow>) => {
  const bySku = new Map<string, number>();
  for (const order of orders) for (const line of order.lines) bySku.set(line.sku, (bySku.get(line.sku) ?? 0) + line.quantity);
  return bySku;
};

export const RULES: Readonly<Record<InvariantId, Rule>> = {
  'accepted-orders-recorded': (snapshot, context) => {
    const ids =
      context.acceptedOrderIds ?? [...snapshot.orders.values()].filter((order) => inScope(order, context.until)).map((order) => order.id);
    const violations: Violation[] = [];
    for (const id of ids) {
      const order = snapshot.orders.get(id);
      const problem = !order
        ? 'accepted by the gateway but not in the order database'
        : order.lines.length === 0
          ? 'stored without lines'
          : !order.hasIdempotencyKey
            ? 'stored without its Idempotency-Key (a retry would place it again)'
            : context.unanswered.get(id);
      if (problem) violations.push({ invariant: 'accepted-orders-recorded', subject: id, message: problem });
    }
    return { checked: ids.length, violations };
  },

  'orders-final': (snapshot, context) => {
    const scoped = [...snapshot.orders.values()].filter((order) => inScope(order, context.until));
    return {
      checked: scoped.length,
      violations: scoped
        .filter((order) => !FINAL_STATUSES.has(order.status))
        .map((order) => ({
          invariant: 'orders-final' as const,
          subject: order.id,
          message: `still ${order.status} (placed ${order.createdAt.toISOString()})`,
        })),
    };
  },

  'stock-conserved': (snapshot, context) => {
    const violations: Violation[] = [];
    const fail = (sku: string, message: string) => violations.push({ invariant: 'stock-conserved', subject: sku, message });
    for (const row of snapshot.stock.values()) {
      for (const counter of ['available', 'reserved', 'sold'] as const)
        if (row[counter] < 0) fail(row.sku, `${counter} is ${row[counter]}`);
      const held = snapshot.heldBySku.get(row.sku) ?? 0;
      const committed = snapshot.committedBySku.get(row.sku) ?? 0;
      if (row.reserved !== held) fail(row.sku, `reserved ${row.reserved} but the open reservations hold ${held}`);
      if (row.sold !== committed) fail(row.sku, `sold ${row.sold} but the committed reservations hold ${committed}`);
      const total = context.stockTotals?.[row.sku];
      const counted = row.available + row.reserved + row.sold;
      if (total !== undefined && counted !== total) {
        fail(
          row.sku,
          `available ${row.available} + reserved ${row.reserved} + sold ${row.sold} = ${counted}, but initial + restocks = ${total}`,
        );
      }
    }
    for (const sku of Object.keys(context.stockTotals ?? {})) if (!snapshot.stock.has(sku)) fail(sku, 'stocked but no longer in inventory');
    return { checked: snapshot.stock.size, violations };
  },

  'sold-matches-confirmed': (snapshot) => {
    // An order in payment_authorized has its stock committed before its capture: sold already.
    const selling = [...snapshot.orders.values()].filter(
      (order) =>
        order.status === 'confirmed' || (order.status === 'payment_authorized' && snapshot.reservations.get(order.id) === 'committed'),
    );
    const expected = quantitiesBySku(selling);
    const skus = new Set([...expected.keys(), ...snapshot.stock.keys()]);
    const violations: Violation[] = [];
    for (const sku of skus) {
      const sold = snapshot.stock.get(sku)?.sold ?? 0;
      const confirmed = expected.get(sku) ?? 0;
      if (sold !== confirmed) {
        violations.push({ invariant: 'sold-matches-confirmed', subject: sku, message: `sold ${sold}, confirmed orders hold ${confirmed}` });
      }
    }
    return { checked: skus.size, violations };
  },

  'captured-matches-confirmed': (snapshot, context) => {
    const violations: Violation[] = [];
    const fail = (subject: string, message: string) => violations.push({ invariant: 'captured-matches-confirmed', subject, message });
    const sums = new Map<string, { captured: number; confirmed: number }>();
    const sum = (currency: string) => sums.get(currency) ?? sums.set(currency, { captured: 0, confirmed: 0 }).get(currency)!;
    for (const order of snapshot.orders.values()) {
      const capture = snapshot.captures.get(order.id);
      if (order.status === 'confirmed') {
        sum(order.currency).confirmed += order.totalMinor;
        if (!capture) fail(order.id, 'confirmed but never captured');
        else if (capture.amountMinor !== order.totalMinor || capture.currency !== order.currency) {
          fail(order.id, `captured ${capture.amountMinor} ${capture.currency} for a total of ${order.totalMinor} ${order.currency}`);
        }
      } else if (capture && !(order.status === 'payment_authorized' && !inScope(order, context.until))) {
        // Captured but not confirmed: allowed only for an order still under way after `until` (its reply is on its way).
        fail(order.id, `captured ${capture.amountMinor} ${capture.currency} but the order is ${order.status}`);
      }
    }
    for (const [orderId, capture] of snapshot.captures) {
      const order = snapshot.orders.get(orderId);
      if (order?.status === 'payment_authorized' && !inScope(order, context.until)) continue; // under way
      sum(capture.currency).captured += capture.amountMinor;
      if (!snapshot.orders.has(orderId))
        fail(orderId, `captured ${capture.amountMinor} ${capture.currency} for an order that does not exist`);
    }
    if (snapshot.providerHolds) {
      const capturedByOrder = new Map<string, number>();
      for (const hold of snapshot.providerHolds) {
        if (hold.status === 'captured') capturedByOrder.set(hold.reference, (capturedByOrder.get(hold.reference) ?? 0) + 1);
      }
      for (const [orderId, count] of capturedByOrder) {
        if (count > 1) fail(orderId, `the provider captured ${count} authorizations for this order`);
        if (!snapshot.captures.has(orderId) && snapshot.orders.get(orderId)?.status !== 'payment_authorized') {
          fail(orderId, 'the provider captured money that payment has no capture for');
        }
      }
    }
    for (const [currency, { captured, confirmed }] of sums) {
      if (captured !== confirmed) {
        fail(currency, `captured ${captured} in all, but confirmed orders total ${confirmed}`);
      }
    }
    return { checked: snapshot.orders.size, violations };
  },

  'no-open-authorization': (snapshot) => {
    const violations: Violation[] = [];
    const ended = [...snapshot.orders.values()].filter((order) => order.status === 'cancelled' || order.status === 'rejected');
    const heldByOrder = new Map<string, number>();
    for (const hold of snapshot.providerHolds ?? []) {
      if (hold.status === 'held') heldByOrder.set(hold.reference, (heldByOrder.get(hold.reference) ?? 0) + 1);
    }
    for (const order of ended) {
      const payment = snapshot.payments.get(order.id);
      if (payment && (payment.status === 'authorized' || payment.status === 'pending')) {
        violations.push({
          invariant: 'no-open-authorization',
          subject: order.id,
          message: `${order.status}, but its payment is still ${payment.status}`,
        });
      }
      if (heldByOrder.has(order.id)) {
        violations.push({
          invariant: 'no-open-authorization',
          subject: order.id,
          message: `${order.status}, but the provider still holds money for it`,
        });
      }
    }
    for (const order of snapshot.orders.values()) {
      if (order.status === 'confirmed' && heldByOrder.has(order.id)) {
        violations.push({
          invariant: 'no-open-authorization',
          subject: order.id,
          message: 'confirmed, and the provider holds a second authorization for it',
        });
      }
    }
    return { checked: ended.length, violations };
  },

  'order-history-converged': (snapshot, context) => {
    const scoped = [...snapshot.orders.values()].filter((order) => inScope(order, context.until));
    const violations: Violation[] = [];
    for (const order of scoped) {
      const entry = snapshot.history.get(order.id);
      const problem = !entry
        ? 'missing from the order history'
        : entry.status !== order.status
          ? `history says ${entry.status}, the order is ${order.status}`
          : entry.totalMinor !== order.totalMinor
            ? `history total ${entry.totalMinor}, the order's ${order.totalMinor}`
            : undefined;
      if (problem) violations.push({ invariant: 'order-history-converged', subject: order.id, message: problem });
    }
    return { checked: scoped.length, violations };
  },

  'availability-converged': (snapshot) => {
    const violations: Violation[] = [];
    for (const stock of snapshot.stock.values()) {
      const shown = snapshot.availability.get(stock.sku);
      const problem = !shown
        ? 'no availability in the catalog'
        : shown.available !== stock.available || shown.reserved !== stock.reserved || shown.sold !== stock.sold
          ? `catalog shows ${shown.available}/${shown.reserved}/${shown.sold}, inventory has ${stock.available}/${stock.reserved}/${stock.sold} (available/reserved/sold)`
          : undefined;
      if (problem) violations.push({ invariant: 'availability-converged', subject: stock.sku, message: problem });
    }
    return { checked: snapshot.stock.size, violations };
  },

  'outboxes-drained': (snapshot) => ({
    checked: snapshot.outboxBacklog.size,
    violations: [...snapshot.outboxBacklog]
      .filter(([, backlog]) => backlog.count > 0)
      .map(([service, backlog]) => ({
        invariant: 'outboxes-drained' as const,
        subject: service,
        message: `${backlog.count} event(s) unpublished, the oldest written ${backlog.oldest?.toISOString()}`,
      })),
  }),

  'consumers-drained': (snapshot) => ({
    checked: snapshot.consumers.length,
    violations: snapshot.consumers
      .filter((consumer) => consumer.pending + consumer.ackPending > 0)
      .map((consumer) => ({
        invariant: 'consumers-drained' as const,
        subject: `${consumer.stream}/${consumer.name}`,
        message: `${consumer.pending} pending, ${consumer.ackPending} delivered but not acknowledged`,
      })),
  }),

  'dead-letters-explained': (snapshot) => ({
    checked: snapshot.deadLetters.length,
    violations: snapshot.deadLetters
      .filter((letter) => !(letter.reason === 'contract' || letter.reason === 'refused') || !letter.error?.message)
      .map((letter) => ({
        invariant: 'dead-letters-explained' as const,
        subject: `dead letter ${letter.id} (${letter.service}/${letter.consumer})`,
        message:
          `${letter.subject} given up after ${letter.deliveries} deliveries without a refusal: ${letter.error?.code ?? letter.error?.name ?? '?'} ${letter.error?.message ?? ''}`.trim(),
      })),
  }),
};
