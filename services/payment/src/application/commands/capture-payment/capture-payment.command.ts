export interface CapturePaymentCommand {
  readonly orderId: string;
}
