import { Body, Controller, Get, Headers, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  type ListOrdersQuery,
  type PlaceOrderBody,
  idempotencyKeySchema,
  listOrdersQuerySchema,
  orderHistoryPageSchema,
  orderIdSchema,
  orderSchema,
  orderTimelineSchema,
  placeOrderBodySchema,
} from '@storefront/contracts';
import { type DownstreamResponse, callHttp, parseInput } from '@storefront/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Inject } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { ApiProblemResponses } from '../docs/api-problem-responses';
import { type DownstreamPolicy, ORDER_POLICY } from '../resilience/downstream-policy';

/**
 * Orders over REST to the order service. The edge validates with the same schemas as the service
 * (and documents them); the service's answer, problem+json included, is passed on unchanged.
 * Calls go through the order service's resilience policy; only GETs are retried. POST is never
 * retried here: the client's Idempotency-Key makes its own retries safe.
 */
@ApiTags('orders')
@Controller('api/orders')
export class OrdersHttpController {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(ORDER_POLICY) private readonly policy: DownstreamPolicy,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Place an order; it is confirmed, cancelled or rejected asynchronously (poll GET /api/orders/{id})' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Same key and body return the same order; another body gets 409' })
  @ApiCreatedResponse({ standardSchema: orderSchema, description: 'The order, status "placed"' })
  @ApiOkResponse({ standardSchema: orderSchema, description: 'Replay of an earlier request with the same Idempotency-Key' })
  @ApiProblemResponses(400, 409, 503, 504)
  async place(
    @Body({ schema: placeOrderBodySchema }) body: PlaceOrderBody,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    parseInput(idempotencyKeySchema.optional(), idempotencyKey, 'Idempotency-Key');
    return this.relay(reply, await this.order('POST', '/orders', request, body, { 'idempotency-key': idempotencyKey }));
  }

  @Get()
  @ApiOperation({ summary: 'Order history (read model): filter by customer, status and time, newest first, paginated by cursor' })
  @ApiOkResponse({ standardSchema: orderHistoryPageSchema })
  @ApiProblemResponses(400, 503, 504)
  async list(
    @Query({ schema: listOrdersQuerySchema }) query: ListOrdersQuery,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const search = new URLSearchParams(request.query as Record<string, string>).toString();
    void query; // validated here, forwarded as the client sent it
    return this.relay(reply, await this.order('GET', `/orders${search ? `?${search}` : ''}`, request));
  }

  @Get(':id/timeline')
  @ApiOperation({ summary: 'Every step of an order’s saga, from the order history (read model)' })
  @ApiOkResponse({ standardSchema: orderTimelineSchema })
  @ApiProblemResponses(400, 404, 503, 504)
  async timeline(
    @Param('id', { schema: orderIdSchema }) id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return this.relay(reply, await this.order('GET', `/orders/${id}/timeline`, request));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an order and where its saga is' })
  @ApiOkResponse({ standardSchema: orderSchema })
  @ApiProblemResponses(400, 404, 503, 504)
  async get(
    @Param('id', { schema: orderIdSchema }) id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return this.relay(reply, await this.order('GET', `/orders/${id}`, request));
  }

  @Post(':id/cancel')
  @ApiOperation({ summary: 'Cancel an order that is not yet being confirmed' })
  @ApiOkResponse({ standardSchema: orderSchema })
  @ApiProblemResponses(400, 404, 409, 503, 504)
  async cancel(
    @Param('id', { schema: orderIdSchema }) id: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    return this.relay(reply, await this.order('POST', `/orders/${id}/cancel`, request));
  }

  private order(
    method: string,
    path: string,
    request: FastifyRequest,
    body?: unknown,
    headers?: Record<string, string | undefined>,
  ): Promise<DownstreamResponse> {
    const call = () =>
      callHttp(`${this.config.ORDER_URL}${path}`, {
        downstream: 'order',
        method,
        body,
        headers,
        timeoutMs: this.config.DOWNSTREAM_TIMEOUT_MS,
        requestId: request.id,
      });
    return this.policy.execute(call, { idempotent: method === 'GET' });
  }

  private relay(reply: FastifyReply, response: DownstreamResponse): unknown {
    void reply.status(response.status).header('content-type', response.contentType);
    const replayed = response.headers.get('idempotent-replayed');
    if (replayed) void reply.header('idempotent-replayed', replayed);
    return response.body;
  }
}
