import type { ShippingAddress } from '../../../domain/order.aggregate';

export interface PlaceOrderCommand {
  readonly customerId: string;
  readonly lines: readonly { readonly productId: string; readonly quantity: number }[];
  readonly paymentToken: string;
  readonly shippingAddress: ShippingAddress;
  /** The client's Idempotency-Key header; unique per customer. */
  readonly idempotencyKey: string;
}
