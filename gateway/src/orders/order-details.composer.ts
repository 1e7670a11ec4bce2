import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OrderDetailsDto, OrderDto, OrderTimelineDto, ProductDto } from '@storefront/contracts';
import { DownstreamError } from '@storefront/service-kit';
import { CatalogClient } from '../catalog/catalog.client';
import { toProductDto } from '../catalog/product.mapper';
import { ORDER_SERVICE } from '../downstream/downstreams';
import { relay, type RestDownstream } from '../downstream/rest-downstream';
import { RetryLaterError } from '../resilience/resilience.errors';

/** A part the order can do without: a service that is down or refusing calls. */
const isOutage = (error: unknown) =>
  error instanceof RetryLaterError || (error instanceof DownstreamError && (error.kind === 'unavailable' || error.kind === 'timeout'));

/**
 * API composition for GET /api/orders/{id}/details. The order itself (order service, which also
 * checks that the caller may see it) decides the answer; then the products of its lines (catalog,
 * gRPC, one batched call) and its timeline (order history) are fetched in parallel. Either of those
 * may be missing when its service is down: the answer says which, instead of failing as a whole.
 */
@Injectable()
export class OrderDetailsComposer {
  constructor(
    @Inject(ORDER_SERVICE) private readonly orders: RestDownstream,
    private readonly catalog: CatalogClient,
  ) {}

  async compose(id: string, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const response = await this.orders.call('GET', `/orders/${id}`, request);
    if (response.status !== 200) return relay(reply, response);
    const order = response.body as OrderDto;

    const [products, timeline] = await Promise.allSettled([
      this.catalog.getProductsByIds(
        order.lines.map((line) => line.productId),
        request.id,
      ),
      this.orders.call('GET', `/orders/${id}/timeline`, request),
    ]);
    const unavailable: OrderDetailsDto['unavailable'] = [];

    const byId = new Map<string, ProductDto>();
    if (products.status === 'fulfilled') {
      for (const product of products.value.products) byId.set(product.id, toProductDto(product));
    } else if (isOutage(products.reason)) {
      unavailable.push('catalog');
    } else {
      throw products.reason;
    }

    let entries: OrderTimelineDto['entries'] | null = null;
    if (timeline.status === 'fulfilled' && timeline.value.status === 200) {
      entries = (timeline.value.body as OrderTimelineDto).entries;
    } else if (timeline.status === 'fulfilled' && timeline.value.status === 404) {
      entries = []; // the history has not seen the order yet (eventually consistent)
    } else if (timeline.status === 'rejected' && !isOutage(timeline.reason)) {
      throw timeline.reason;
    } else {
      unavailable.push('timeline');
    }

    return {
      ...order,
      lines: order.lines.map((line) => ({ ...line, product: byId.get(line.productId) ?? null })),
      timeline: entries,
      unavailable,
    };
  }
}
