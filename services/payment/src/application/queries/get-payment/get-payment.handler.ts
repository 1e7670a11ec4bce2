import { Inject, Injectable } from '@nestjs/common';
import type { Payment } from '../../../domain/payment.aggregate';
import { PaymentNotFoundError } from '../../../domain/payment.errors';
import { PAYMENT_REPOSITORY, type PaymentRepository } from '../../../domain/payment.repository';

@Injectable()
export class GetPaymentHandler {
  constructor(@Inject(PAYMENT_REPOSITORY) private readonly payments: PaymentRepository) {}

  async execute(orderId: string): Promise<Payment> {
    const payment = await this.payments.findByOrderId(orderId);
    if (!payment) throw new PaymentNotFoundError(orderId);
    return payment;
  }
}
