import { randomUUID } from 'node:crypto';
import {
  CommitReservationV1,
  ReservationCommitFailedV1,
  ReservationReleasedV1,
  ReserveStockV1,
  StockChangedV1,
} from '@storefront/contracts';
import { waitFor } from '@storefront/testing';
import { startInventory, uniqueSku, type InventoryUnderTest } from './inventory-app';

const TINY = { RESERVATION_TTL_SECONDS: '1', RESERVATION_SWEEP_INTERVAL_MS: '50' };

/** Reservations nobody confirms run out; two replicas sweep the same database. */
describe('reservation expiry', () => {
  let inventory: InventoryUnderTest;
  let replica: InventoryUnderTest;

  beforeAll(async () => {
    inventory = await startInventory({ env: TINY });
    replica = await startInventory({ env: TINY, replicaOf: inventory });
  });

  afterAll(async () => {
    await replica.close();
    await inventory.close();
  });

  it('releases expired reservations exactly like a release command, each once, and leaves committed ones alone', async () => {
    const sku = uniqueSku('EXP');
    await inventory.givenStock(sku, 20);
    const forgotten: string[] = Array.from({ length: 12 }, () => randomUUID());
    const paid = randomUUID();
    // As the saga does: commit only once the reservation is known (two replicas may reorder messages).
    await inventory.applied(await inventory.send(ReserveStockV1, { orderId: paid, lines: [{ sku, quantity: 1 }] }));
    await inventory.applied(await inventory.send(CommitReservationV1, { orderId: paid }));
    for (const orderId of forgotten) await inventory.send(ReserveStockV1, { orderId, lines: [{ sku, quantity: 1 }] });

    await waitFor(
      async () =>
        (await inventory.prisma.reservation.count({ where: { orderId: { in: forgotten }, status: 'released' } })) === forgotten.length,
      { what: 'every forgotten reservation released' },
    );

    expect(await inventory.level(sku)).toEqual({ sku, available: 19, reserved: 0, sold: 1 });
    expect(await inventory.prisma.reservation.findUnique({ where: { orderId: paid } })).toMatchObject({ status: 'committed' });
    const releases = (await inventory.recorded(ReservationReleasedV1)).filter((event) => forgotten.includes(event.payload.orderId));
    expect(releases).toHaveLength(forgotten.length);
    expect(new Set(releases.map((event) => event.payload.orderId)).size).toBe(forgotten.length);
    expect(releases.every((event) => event.payload.reason === 'expired' && event.payload.reservationId !== null)).toBe(true);
    const released = (await inventory.recorded(StockChangedV1)).filter(
      (event) => event.payload.sku === sku && event.payload.reason === 'released',
    );
    expect(released).toHaveLength(forgotten.length);

    // And they reach JetStream like any other event.
    await waitFor(
      async () =>
        (await inventory.published(ReservationReleasedV1)).filter((event) => forgotten.includes(event.payload.orderId)).length ===
        forgotten.length,
      { what: 'expiry releases published' },
    );
  });

  it('refuses a commit that arrives after the reservation expired, and tells the saga so', async () => {
    const sku = uniqueSku('LATE');
    await inventory.givenStock(sku, 3);
    const orderId = randomUUID();
    await inventory.applied(await inventory.send(ReserveStockV1, { orderId, lines: [{ sku, quantity: 2 }] }));
    await waitFor(async () => (await inventory.prisma.reservation.findUnique({ where: { orderId } }))?.status === 'released', {
      what: 'the reservation expired',
    });

    await inventory.applied(await inventory.send(CommitReservationV1, { orderId }));

    expect(await inventory.level(sku)).toEqual({ sku, available: 3, reserved: 0, sold: 0 });
    const reservation = await inventory.prisma.reservation.findUnique({ where: { orderId } });
    expect(reservation).toMatchObject({ status: 'released' });
    const refusal = await waitFor(
      async () => (await inventory.published(ReservationCommitFailedV1)).find((event) => event.payload.orderId === orderId),
      { what: 'the refusal published' },
    );
    expect(refusal.payload).toEqual({ orderId, reservationId: reservation?.id, reason: 'expired' });
  });
});
