import type { OrderStatus } from '../../../domain/order-status.value-object';
import type { Order } from '../../../domain/order.aggregate';
import type { OrderRepository } from '../../../domain/order.repository';
import type { OrderStatusChanges } from '../../order-status-changes.port';
import { GetOrderHandler } from './get-order.handler';

/**
 * The long-poll's reads: the order is read again when an announcement can end the wait, not on
 * every step of the saga. The repository and the announcements are in-memory here; the e2e test
 * (order-saga.e2e) runs the same path against PostgreSQL's NOTIFY.
 */
describe('GetOrderHandler (long-poll)', () => {
  const viewer = { customerId: 'alice', admin: false };

  function setUp(announcements: (string | undefined)[][]) {
    let status: OrderStatus = 'placed';
    let reads = 0;
    const orders = {
      findById: () => {
        reads += 1;
        return Promise.resolve({ customerId: 'alice', snapshot: { status } } as unknown as Order);
      },
    } as unknown as OrderRepository;
    const changes: OrderStatusChanges = {
      watch: () => ({
        next: () => {
          const batch = announcements.shift() ?? [];
          const last = batch.at(-1);
          if (last) status = last as OrderStatus;
          return Promise.resolve(batch);
        },
        close: () => undefined,
      }),
    };
    return { handler: new GetOrderHandler(orders, changes), reads: () => reads };
  }

  it('reads again only for an announced status that ends the wait', async () => {
    const { handler, reads } = setUp([['stock_reserved'], ['payment_authorized'], ['confirmed']]);
    const order = await handler.execute('o1', viewer, { for: 'final', ms: 5_000 });
    expect(order.snapshot.status).toBe('confirmed');
    expect(reads()).toBe(2); // the first read and the one after 'confirmed'
  });

  it('reads again for the status waited for, for an announcement naming none, and after a quiet interval', async () => {
    const waitedFor = setUp([['stock_reserved']]);
    expect((await waitedFor.handler.execute('o1', viewer, { for: 'stock_reserved', ms: 5_000 })).snapshot.status).toBe('stock_reserved');
    expect(waitedFor.reads()).toBe(2);

    const unnamed = setUp([['stock_reserved', undefined], ['confirmed']]);
    await unnamed.handler.execute('o1', viewer, { for: 'final', ms: 5_000 });
    expect(unnamed.reads()).toBe(3);

    const quiet = setUp([[], ['confirmed']]);
    await quiet.handler.execute('o1', viewer, { for: 'final', ms: 5_000 });
    expect(quiet.reads()).toBe(3);
  });
});
