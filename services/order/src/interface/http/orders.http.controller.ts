import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import {
  type ListOrdersQuery,
  type OrderDto,
  type OrderHistoryPageDto,
  type OrderTimelineDto,
  type PlaceOrderBody,
  idempotencyKeySchema,
  listOrdersQuerySchema,
  orderIdSchema,
  placeOrderBodySchema,
} from '@storefront/contracts';
import { parseInput } from '@storefront/service-kit';
import type { FastifyReply } from 'fastify';
import { CancelOrderHandler } from '../../application/commands/cancel-order/cancel-order.handler';
import { PlaceOrderHandler } from '../../application/commands/place-order/place-order.handler';
import { GetOrderHandler } from '../../application/queries/get-order/get-order.handler';
import { GetOrderTimelineHandler } from '../../application/queries/get-order-timeline/get-order-timeline.handler';
import { ListOrdersHandler } from '../../application/queries/list-orders/list-orders.handler';
import { toOrderDto } from './order.mapper';

@Controller('orders')
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
  list(@Query({ schema: listOrdersQuerySchema }) query: ListOrdersQuery): Promise<OrderHistoryPageDto> {
    return this.listOrders.execute(query);
  }

  /** From the order history read model only. */
  @Get(':id/timeline')
  timeline(@Param('id', { schema: orderIdSchema }) id: string): Promise<OrderTimelineDto> {
    return this.getTimeline.execute(id);
  }

  /** 201 for a new order; 200 with `Idempotent-Replayed: true` when the key was used for this same body. */
  @Post()
  async place(
    @Body({ schema: placeOrderBodySchema }) body: PlaceOrderBody,
    @Headers('idempotency-key') idempotencyKeyHeader: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderDto> {
    const idempotencyKey = parseInput(idempotencyKeySchema.optional(), idempotencyKeyHeader, 'Idempotency-Key');
    const { order, replayed } = await this.placeOrder.execute({ ...body, idempotencyKey });
    void reply.status(replayed ? HttpStatus.OK : HttpStatus.CREATED).header('location', `/orders/${order.id}`);
    if (replayed) void reply.header('idempotent-replayed', 'true');
    return toOrderDto(order);
  }

  @Get(':id')
  async get(@Param('id', { schema: orderIdSchema }) id: string): Promise<OrderDto> {
    return toOrderDto(await this.getOrder.execute(id));
  }

  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  async cancel(@Param('id', { schema: orderIdSchema }) id: string): Promise<OrderDto> {
    return toOrderDto(await this.cancelOrder.execute(id));
  }
}
