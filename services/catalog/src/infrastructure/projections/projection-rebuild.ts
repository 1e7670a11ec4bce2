import { runProjectionRebuildCli } from '@storefront/messaging';
import { rebuildAvailability } from './availability-rebuild';

// `pnpm --filter @storefront/catalog projection:rebuild availability` (in the image:
// `node dist/infrastructure/projections/projection-rebuild.js availability`).
void runProjectionRebuildCli('catalog', {
  availability: async ({ log, ...context }) => {
    const started = Date.now();
    const result = await rebuildAvailability({ ...context, log });
    const upTo = Object.entries(result.lastSequences).map(([stream, sequence]) => `${stream} sequence ${sequence}`);
    return (
      `availability: applied ${result.caughtUp} events that arrived during the rebuild; ${result.rows} rows, ` +
      `up to ${upTo.join(', ')}, in ${((Date.now() - started) / 1_000).toFixed(1)} s`
    );
  },
});
