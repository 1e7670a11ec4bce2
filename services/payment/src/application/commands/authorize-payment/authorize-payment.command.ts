export interface AuthorizePaymentCommand {
  readonly orderId: string;
  readonly amount: { readonly amountMinor: number; readonly currency: string };
  readonly paymentToken: string;
}
