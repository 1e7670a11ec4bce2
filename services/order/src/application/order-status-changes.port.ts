/** Announcements that an order's status changed, from whichever replica changed it. */
export interface OrderStatusChanges {
  /** Starts listening for changes of one order; changes announced from now on are kept for next(). */
  watch(orderId: string): OrderStatusWatch;
}

export interface OrderStatusWatch {
  /**
   * Resolves once a change was announced since the watch began or since the last next(), or after
   * `withinMs` at the latest (an announcement can be missed while the listener reconnects: callers
   * look again either way).
   */
  next(withinMs: number): Promise<void>;
  close(): void;
}

export const ORDER_STATUS_CHANGES = Symbol('OrderStatusChanges');
