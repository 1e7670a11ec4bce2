import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Money } from '@storefront/ddd';
import { Order, type StepTimeouts } from '../../../domain/order.aggregate';
import { IdempotencyKeyReusedError, InvalidOrderError, UnknownProductsError } from '../../../domain/order.errors';
import { ORDER_REPOSITORY, type OrderRepository } from '../../../domain/order.repository';
import { PRODUCT_PRICING, type ProductPricing } from '../../ports/product-pricing.port';
import { STEP_TIMEOUTS } from '../../step-timeouts';
import type { PlaceOrderCommand } from './place-order.command';

/** A stable hash of what the client asked for, to tell a retry from a different request. */
function requestHash(command: PlaceOrderCommand): string {
  const canonical = {
    customerId: command.customerId,
    lines: [...command.lines].sort((a, b) => a.productId.localeCompare(b.productId)),
    paymentToken: command.paymentToken,
    shippingAddress: command.shippingAddress,
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

export interface PlaceOrderResult {
  readonly order: Order;
  /** True when the customer had used the Idempotency-Key for this same request: nothing new was created. */
  readonly replayed: boolean;
}

@Injectable()
export class PlaceOrderHandler {
  constructor(
    @Inject(ORDER_REPOSITORY) private readonly orders: OrderRepository,
    @Inject(PRODUCT_PRICING) private readonly pricing: ProductPricing,
    @Inject(STEP_TIMEOUTS) private readonly timeouts: StepTimeouts,
  ) {}

  async execute(command: PlaceOrderCommand): Promise<PlaceOrderResult> {
    const hash = requestHash(command);
    const idempotency = { customerId: command.customerId, key: command.idempotencyKey, requestHash: hash };
    const previous = await this.orders.findByIdempotencyKey(command.customerId, command.idempotencyKey);
    if (previous) return this.replay(command.idempotencyKey, hash, previous);

    const { prices, missing } = await this.pricing.price(command.lines.map((line) => line.productId));
    if (missing.length > 0) throw new UnknownProductsError(missing);
    const priceOf = new Map(prices.map((price) => [price.productId, price]));
    const currencies = new Set(prices.map((price) => price.currency));
    if (currencies.size > 1) {
      throw new InvalidOrderError(`all products of an order must share a currency, got ${[...currencies].join(', ')}`, 'lines');
    }

    const order = Order.place(
      {
        id: randomUUID(),
        customerId: command.customerId,
        paymentToken: command.paymentToken,
        shippingAddress: command.shippingAddress,
        lines: command.lines.map((line) => {
          const price = priceOf.get(line.productId);
          if (!price) throw new UnknownProductsError([line.productId]);
          return {
            productId: line.productId,
            sku: price.sku,
            name: price.name,
            quantity: line.quantity,
            unitPrice: Money.of(price.unitPriceMinor, price.currency),
          };
        }),
      },
      new Date(),
      this.timeouts,
    );

    const stored = await this.orders.insert(order, idempotency);
    if (stored.created) return { order: stored.order, replayed: false };
    return this.replay(command.idempotencyKey, hash, stored);
  }

  private replay(key: string, hash: string, previous: { order: Order; requestHash: string }): PlaceOrderResult {
    if (previous.requestHash !== hash) throw new IdempotencyKeyReusedError(key);
    return { order: previous.order, replayed: true };
  }
}
