// What the journeys measure beyond k6's built-in HTTP metrics: the order saga seen from a customer.
import { Counter, Rate, Trend } from 'k6/metrics';

/** From sending POST /api/orders until a status poll shows the order confirmed (true time, ms). */
export const orderTimeToConfirmed = new Trend('order_time_to_confirmed', true);
/** Orders accepted (201 or an idempotent replay). */
export const ordersPlaced = new Counter('orders_placed');
/** Orders by the final status they reached. */
export const ordersConfirmed = new Counter('orders_confirmed');
export const ordersCancelled = new Counter('orders_cancelled');
export const ordersRejected = new Counter('orders_rejected');
/** 1 when an order ended as its payment token says (tok_visa confirmed, tok_decline cancelled). */
export const ordersExpectedOutcome = new Rate('orders_expected_outcome');
/** Orders still not final after ORDER_FINAL_TIMEOUT_S: the saga is stuck or far behind. */
export const ordersUnfinished = new Counter('orders_unfinished');
/** Units an admin added by restocking. */
export const unitsRestocked = new Counter('units_restocked');
