import { z } from 'zod';
import { skuSchema } from './catalog';

/** HTTP contract of inventory: stock levels and the admin restock. */

export const stockLevelSchema = z.object({
  sku: z.string(),
  available: z.number().int(),
  reserved: z.number().int(),
  sold: z.number().int(),
});
export type StockLevelDto = z.output<typeof stockLevelSchema>;

export const stockSkuSchema = skuSchema;

export const restockBodySchema = z.strictObject({
  quantity: z.number().int('must be a whole number').min(1).max(1_000_000),
});
export type RestockBody = z.output<typeof restockBodySchema>;
