export interface VoidPaymentCommand {
  readonly orderId: string;
  readonly reason: string;
}
