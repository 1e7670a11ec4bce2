import { rebuildProjection, runProjectionRebuildCli } from '@storefront/messaging';
import { applyToOrderHistory, LIVE_ORDER_HISTORY, ORDER_HISTORY_EVENTS } from './order-history.projection';

// `pnpm --filter @storefront/order projection:rebuild order-history` (in the image:
// `node dist/infrastructure/projections/projection-rebuild.js order-history`).
void runProjectionRebuildCli('order', {
  'order-history': async ({ pool, js, jsm, namespace, log }) => {
    const started = Date.now();
    const result = await rebuildProjection({
      name: 'order-history',
      pool,
      js,
      jsm,
      namespace,
      log,
      tables: Object.values(LIVE_ORDER_HISTORY),
      definitions: ORDER_HISTORY_EVENTS,
      apply: (tx, tableOf, definition, event) =>
        applyToOrderHistory(
          tx,
          {
            orders: tableOf(LIVE_ORDER_HISTORY.orders),
            timeline: tableOf(LIVE_ORDER_HISTORY.timeline),
            products: tableOf(LIVE_ORDER_HISTORY.products),
          },
          definition,
          event,
        ),
    });
    const { rows } = await pool.query<{ count: string }>(`SELECT count(*) FROM "${LIVE_ORDER_HISTORY.orders}"`);
    return (
      `order-history rebuilt from ${result.replayed} events (+${result.caughtUp} that arrived meanwhile): ` +
      `${rows[0]?.count ?? 0} orders, swapped in after ${((Date.now() - started) / 1000).toFixed(1)} s`
    );
  },
});
