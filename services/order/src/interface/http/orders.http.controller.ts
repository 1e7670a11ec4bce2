import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  getOrderQuerySchema,
  listOrdersQuerySchema,
  orderIdSchema,
  placeOrderBodySchema,
  placeOrderQuerySchema,
  preferredWaitSeconds,
  type GetOrderQuery,
  type ListOrdersQuery,
  type OrderDto,
  type OrderHistoryPageDto,
  type OrderTimelineDto,
  type PlaceOrderBody,
  type PlaceOrderQuery,
} from '@storefront/contracts';
import { Authenticated, CurrentPrincipal, hasRole, requireIdempotencyKey, type Principal } from '@storefront/service-kit';
import { CancelOrderHandler } from '../../application/commands/cancel-order/cancel-order.handler';
import { PlaceOrderHandler } from '../../application/commands/place-order/place-order.handler';
import { GetOrderTimelineHandler } from '../../application/queries/get-order-timeline/get-order-timeline.handler';
import { GetOrderHandler } from '../../application/queries/get-order/get-order.handler';
import { ListOrdersHandler } from '../../application/queries/list-orders/list-orders.handler';
import type { Viewer } from '../../application/viewer';
import { OrderAccessDeniedError } from '../../domain/order.errors';
import { toOrderDto } from './order.mapper';

function viewerOf(principal: Principal): Viewer {
  return { customerId: principal.subject, admin: hasRole(principal, 'admin') };
}

/**
 * Every route needs the caller's access token (the gateway forwards it): the service checks it
 * again rather than trusting whoever can reach its port, and scopes every answer to the caller.
 */
@Controller('orders')
@Authenticated('customer', 'admin')
export class OrdersHttpController {
  constructor(
    private readonly placeOrder: PlaceOrderHandler,
    private readonly getOrder: GetOrderHandler,
    private readonly cancelOrder: CancelOrderHandler,
    private readonly listOrders: ListOrdersHandler,
    private readonly getTimeline: GetOrderTimelineHandler,
  ) {}

  /** From the order history read model only. */
  @Get()
  list(
    @Query({ schema: listOrdersQuerySchema }) query: ListOrdersQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<OrderHistoryPageDto> {
    return this.listOrders.execute(query, viewerOf(principal));
  }

  /** From the order history read model only. */
  @Get(':id/timeline')
  timeline(@Param('id', { schema: orderIdSchema }) id: string, @CurrentPrincipal() principal: Principal): Promise<OrderTimelineDto> {
    return this.getTimeline.execute(id, viewerOf(principal));
  }

  /**
   * 201 for a new order; 200 with `Idempotent-Replayed: true` when the caller used the key for this
   * same body before. The Idempotency-Key is required and belongs to the caller: another customer's
   * key is theirs, not a conflict. Customers order for themselves: `customerId` defaults to the
   * token's subject and must match it. With `?waitFor=` the answer waits for the saga as GET's
   * long-poll does: place and outcome in one request.
   */
  @Post()
  @Authenticated('customer')
  async place(
    @Body({ schema: placeOrderBodySchema }) body: PlaceOrderBody,
    @Query({ schema: placeOrderQuerySchema }) query: PlaceOrderQuery,
    @Headers('prefer') prefer: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Headers('idempotency-key') idempotencyKeyHeader: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderDto> {
    const idempotencyKey = requireIdempotencyKey(idempotencyKeyHeader);
    if (body.customerId !== undefined && body.customerId !== principal.subject) {
      throw new OrderAccessDeniedError('Customers can place orders only for themselves');
    }
    const { order, replayed } = await this.placeOrder.execute({ ...body, customerId: principal.subject, idempotencyKey });
    void reply.status(replayed ? HttpStatus.OK : HttpStatus.CREATED).header('location', `/orders/${order.id}`);
    if (replayed) void reply.header('idempotent-replayed', 'true');
    if (!query.waitFor) return toOrderDto(order);
    return this.waited(order.id, principal, query.waitFor, prefer, reply);
  }

  /** With `?waitFor=`, a long-poll (see getOrderQuerySchema): one answer instead of a client polling. */
  @Get(':id')
  async get(
    @Param('id', { schema: orderIdSchema }) id: string,
    @Query({ schema: getOrderQuerySchema }) query: GetOrderQuery,
    @Headers('prefer') prefer: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderDto> {
    if (!query.waitFor) return toOrderDto(await this.getOrder.execute(id, viewerOf(principal)));
    return this.waited(id, principal, query.waitFor, prefer, reply);
  }

  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  async cancel(@Param('id', { schema: orderIdSchema }) id: string, @CurrentPrincipal() principal: Principal): Promise<OrderDto> {
    return toOrderDto(await this.cancelOrder.execute(id, viewerOf(principal)));
  }

  /** The long-poll of `?waitFor=` (GET and POST): the order once it gets there, or after the wait `Prefer` asks for. */
  private async waited(
    id: string,
    principal: Principal,
    waitFor: NonNullable<GetOrderQuery['waitFor']>,
    prefer: string | undefined,
    reply: FastifyReply,
  ): Promise<OrderDto> {
    const seconds = preferredWaitSeconds(prefer);
    void reply.header('preference-applied', `wait=${seconds}`);
    return toOrderDto(await this.getOrder.execute(id, viewerOf(principal), { for: waitFor, ms: seconds * 1_000 }));
  }
}
