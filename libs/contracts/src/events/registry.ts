import { ProductCreatedV1, ProductUpdatedV1 } from './catalog.events';
import type { EventDefinition } from './event-definition';

/** Every integration event of the system, each version once. The AsyncAPI document lists these. */
export const INTEGRATION_EVENTS: readonly EventDefinition[] = [ProductCreatedV1, ProductUpdatedV1];
