import { Controller, Get, Param } from '@nestjs/common';
import { orderIdSchema, type PaymentDto } from '@storefront/contracts';
import { Authenticated } from '@storefront/service-kit';
import { GetPaymentHandler } from '../../application/queries/get-payment/get-payment.handler';
import { toPaymentDto } from './payment.mapper';

/**
 * Payments for back-office use: admins only. Payment knows orders, not customers; a customer sees
 * the payment status of their own orders in the order history (GET /api/orders).
 */
@Controller('payments')
@Authenticated('admin')
export class PaymentsHttpController {
  constructor(private readonly getPayment: GetPaymentHandler) {}

  @Get(':orderId')
  async get(@Param('orderId', { schema: orderIdSchema }) orderId: string): Promise<PaymentDto> {
    return toPaymentDto(await this.getPayment.execute(orderId));
  }
}
