/** The order will not complete: return its reserved units (sent by the order saga). */
export interface ReleaseReservationCommand {
  readonly orderId: string;
  readonly reason: string;
}
