import { Body, Controller, Get, Headers, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  getOrderQuerySchema,
  listOrdersQuerySchema,
  orderDetailsSchema,
  orderHistoryPageSchema,
  orderIdSchema,
  orderSchema,
  orderTimelineSchema,
  placeOrderBodySchema,
  placeOrderQuerySchema,
  preferredWaitSeconds,
  type GetOrderQuery,
  type ListOrdersQuery,
  type PlaceOrderBody,
  type PlaceOrderQuery,
} from '@storefront/contracts';
import { Authenticated, requireIdempotencyKey } from '@storefront/service-kit';
import { ApiProblemResponses } from '../docs/api-problem-responses';
import { ORDER_SERVICE } from '../downstream/downstreams';
import { relay, type RestDownstream } from '../downstream/rest-downstream';
import { OrderDetailsComposer } from './order-details.composer';
import { OrderingReadiness } from './ordering-readiness';

/**
 * Orders over REST to the order service, for customers (their own orders) and admins (all). The
 * edge verifies the token and validates with the same schemas as the service; the service verifies
 * the forwarded token again and scopes every answer to its caller. Its answer, problem+json
 * included, is passed on unchanged. Only GETs are retried; the client's Idempotency-Key (required)
 * makes its own retries of POST safe.
 */
@ApiTags('orders')
@ApiBearerAuth()
@Controller('api/orders')
@Authenticated('customer', 'admin')
export class OrdersHttpController {
  constructor(
    @Inject(ORDER_SERVICE) private readonly orders: RestDownstream,
    private readonly readiness: OrderingReadiness,
    private readonly details: OrderDetailsComposer,
  ) {}

  @Post()
  @Authenticated('customer')
  @ApiOperation({
    summary:
      'Place an order for the caller; it is confirmed, cancelled or rejected asynchronously. With ?waitFor=final (or a status) ' +
      'the answer waits until the order gets there (or after Prefer: wait=<seconds>, default 10, at most 30): place and outcome ' +
      'in one request; without it, follow with GET /api/orders/{id}?waitFor=final',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description:
      'A new unique value (e.g. a UUID) per order, the same one when retrying it: the same key and body return the same ' +
      'order, another body gets 409. Scoped to the customer. Missing: 400 IDEMPOTENCY_KEY.REQUIRED; malformed: 400 IDEMPOTENCY_KEY.INVALID',
  })
  @ApiHeader({
    name: 'Prefer',
    required: false,
    description: 'wait=<seconds>: how long a ?waitFor= request may wait (default 10, at most 30)',
  })
  @ApiCreatedResponse({
    standardSchema: orderSchema,
    description: 'The order: status "placed", or with ?waitFor= as it is when the wait ends',
  })
  @ApiOkResponse({ standardSchema: orderSchema, description: 'Replay of an earlier request with the same Idempotency-Key' })
  @ApiProblemResponses(400, 401, 403, 409, 429, 503, 504)
  async place(
    @Body({ schema: placeOrderBodySchema }) body: PlaceOrderBody,
    @Query({ schema: placeOrderQuerySchema }) query: PlaceOrderQuery,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('prefer') prefer: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const key = requireIdempotencyKey(idempotencyKey);
    await this.readiness.assertAvailable();
    if (!query.waitFor)
      return relay(reply, await this.orders.call('POST', '/orders', request, { body, headers: { 'idempotency-key': key } }));
    // Mostly a wait, so it takes a slot of the long-polls' bulkhead (DOWNSTREAM_MAX_WAITING), not
    // one of the calls that do work: the placing in it is bounded by the order service's own pool.
    const seconds = preferredWaitSeconds(prefer);
    return relay(
      reply,
      await this.orders.call('POST', `/orders?waitFor=${query.waitFor}`, request, {
        body,
        headers: { 'idempotency-key': key, prefer: `wait=${seconds}` },
        waitMs: seconds * 1_000,
      }),
    );
  }

  @Get()
  @ApiOperation({
    summary: 'Order history (read model), newest first, paginated by cursor: the caller’s orders (an admin’s: all, filterable by customer)',
  })
  @ApiOkResponse({ standardSchema: orderHistoryPageSchema })
  @ApiProblemResponses(400, 401, 403, 429, 503, 504)
  async list(
    @Query({ schema: listOrdersQuerySchema }) query: ListOrdersQuery,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const search = new URLSearchParams(request.query as Record<string, string>).toString();
    void query; // validated here, forwarded as the client sent it
    return relay(reply, await this.orders.call('GET', `/orders${search ? `?${search}` : ''}`, request));
  }

  @Get(':id/timeline')
  @ApiOperation({ summary: 'Every step of an order’s saga, from the order history (read model)' })
  @ApiOkResponse({ standardSchema: orderTimelineSchema })
  @ApiProblemResponses(400, 401, 404, 429, 503, 504)
  async timeline(
    @Param('id', { schema: orderIdSchema }) id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return relay(reply, await this.orders.call('GET', `/orders/${id}/timeline`, request));
  }

  @Get(':id/details')
  @ApiOperation({
    summary: 'The order with each line’s full product and the saga timeline, composed at the gateway (parts fetched in parallel)',
  })
  @ApiOkResponse({ standardSchema: orderDetailsSchema })
  @ApiProblemResponses(400, 401, 404, 429, 503, 504)
  async orderDetails(
    @Param('id', { schema: orderIdSchema }) id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return this.details.compose(id, request, reply);
  }

  @Get(':id')
  @ApiOperation({
    summary:
      'Get an order and where its saga is; with ?waitFor=final (or a status) a long-poll that answers when the order gets there ' +
      '(or after Prefer: wait=<seconds>, default 10, at most 30), instead of polling',
  })
  @ApiHeader({
    name: 'Prefer',
    required: false,
    description: 'wait=<seconds>: how long a ?waitFor= request may wait (default 10, at most 30)',
  })
  @ApiOkResponse({ standardSchema: orderSchema })
  @ApiProblemResponses(400, 401, 404, 429, 503, 504)
  async get(
    @Param('id', { schema: orderIdSchema }) id: string,
    @Query({ schema: getOrderQuerySchema }) query: GetOrderQuery,
    @Headers('prefer') prefer: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    if (!query.waitFor) return relay(reply, await this.orders.call('GET', `/orders/${id}`, request));
    const seconds = preferredWaitSeconds(prefer);
    return relay(
      reply,
      await this.orders.call('GET', `/orders/${id}?waitFor=${query.waitFor}`, request, {
        headers: { prefer: `wait=${seconds}` },
        waitMs: seconds * 1_000,
      }),
    );
  }

  @Post(':id/cancel')
  @ApiOperation({ summary: 'Cancel an order that is not yet being confirmed' })
  @ApiOkResponse({ standardSchema: orderSchema })
  @ApiProblemResponses(400, 401, 404, 409, 429, 503, 504)
  async cancel(
    @Param('id', { schema: orderIdSchema }) id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return relay(reply, await this.orders.call('POST', `/orders/${id}/cancel`, request));
  }
}
