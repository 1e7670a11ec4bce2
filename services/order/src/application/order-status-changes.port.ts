/** Announcements that an order's status changed, from whichever replica changed it. */
export interface OrderStatusChanges {
  /** Starts listening for changes of one order; changes announced from now on are kept for next(). */
  watch(orderId: string): OrderStatusWatch;
}

export interface OrderStatusWatch {
  /**
   * Resolves with the statuses announced since the watch began or since the last next(), oldest
   * first, once there is one; with none after `withinMs` at the latest (an announcement can be
   * missed while the listener reconnects: callers look again either way). A status the announcement
   * did not name is `undefined`.
   */
  next(withinMs: number): Promise<readonly (string | undefined)[]>;
  close(): void;
}

export const ORDER_STATUS_CHANGES = Symbol('OrderStatusChanges');
