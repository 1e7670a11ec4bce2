import { SetMetadata } from '@nestjs/common';
import type { EventDefinition } from '@storefront/contracts';

export const HANDLES_EVENT = Symbol('storefront:handles-event');

export interface HandlesEventMetadata {
  readonly definition: EventDefinition;
  /** Durable consumer the handler belongs to; handlers sharing one share its position in the stream. */
  readonly consumer: string;
}

/**
 * Declares a provider method as the handler of an integration event:
 *
 *   @HandlesEvent(StockChangedV1, { consumer: 'catalog-availability' })
 *   async onStockChanged(event: EnvelopeOf<typeof StockChangedV1>, tx: Prisma.TransactionClient) { ... }
 *
 * The method runs inside a transaction with the inbox record, so its effect happens once.
 */
export function HandlesEvent(definition: EventDefinition, options: { consumer: string }): MethodDecorator {
  return SetMetadata<symbol, HandlesEventMetadata>(HANDLES_EVENT, { definition, consumer: options.consumer });
}
