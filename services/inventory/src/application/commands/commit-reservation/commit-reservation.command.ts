/** The order is paid: its reserved units are sold (sent by the order saga). */
export interface CommitReservationCommand {
  readonly orderId: string;
}
