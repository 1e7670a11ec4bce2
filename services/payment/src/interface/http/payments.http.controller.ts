import { Controller, Get, Param } from '@nestjs/common';
import { type PaymentDto, orderIdSchema } from '@storefront/contracts';
import { GetPaymentHandler } from '../../application/queries/get-payment/get-payment.handler';
import { toPaymentDto } from './payment.mapper';

@Controller('payments')
export class PaymentsHttpController {
  constructor(private readonly getPayment: GetPaymentHandler) {}

  @Get(':orderId')
  async get(@Param('orderId', { schema: orderIdSchema }) orderId: string): Promise<PaymentDto> {
    return toPaymentDto(await this.getPayment.execute(orderId));
  }
}
