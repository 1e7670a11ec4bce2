import { randomUUID } from 'node:crypto';
import {
  CommitReservationV1,
  ProductCreatedV1,
  ReleaseReservationV1,
  ReservationCommitFailedV1,
  ReservationCommittedV1,
  ReservationReleasedV1,
  ReserveStockV1,
  StockChangedV1,
  StockReservationFailedV1,
  StockReservedV1,
} from '@storefront/contracts';
import { waitFor } from '@storefront/testing';
import { INVENTORY_PRODUCTS_CONSUMER } from '../src/interface/messaging/catalog-products.consumer';
import { startInventory, uniqueSku, type InventoryUnderTest } from './inventory-app';

const INITIAL_STOCK = 7;

/** Inventory driven as the order saga and the catalog drive it: messages on JetStream. */
describe('inventory commands and events', () => {
  let inventory: InventoryUnderTest;

  const reserve = async (orderId: string, lines: { sku: string; quantity: number }[]) => {
    const command = await inventory.send(ReserveStockV1, { orderId, lines });
    await inventory.applied(command);
    return command;
  };
  const commit = async (orderId: string) => {
    const command = await inventory.send(CommitReservationV1, { orderId });
    await inventory.applied(command);
  };
  const release = async (orderId: string, reason = 'order_cancelled') => {
    const command = await inventory.send(ReleaseReservationV1, { orderId, reason });
    await inventory.applied(command);
  };
  const reservationOf = (orderId: string) =>
    inventory.prisma.reservation.findUnique({ where: { orderId }, include: { lines: { orderBy: { sku: 'asc' } } } });
  const recordedFor = async <T extends { payload: { orderId: string } }>(events: Promise<T[]>, orderId: string) =>
    (await events).filter((event) => event.payload.orderId === orderId);
  /** Waits until the relay has published an event matching `match`, and returns it. */
  const publishedEvent = <T>(find: () => Promise<T | undefined>) => waitFor(find, { what: 'a published event' });

  beforeAll(async () => {
    inventory = await startInventory({ env: { INITIAL_STOCK: String(INITIAL_STOCK) } });
  });

  afterAll(async () => {
    await inventory.close();
  });

  describe('catalog.product-created.v1', () => {
    const productCreated = (sku: string) => {
      const productId = randomUUID();
      return inventory.send(
        ProductCreatedV1,
        {
          productId,
          sku,
          name: 'Test product',
          description: '',
          category: { slug: 'audio', name: 'Audio' },
          price: { amountMinor: 1_000, currency: 'USD' },
          imageUrl: null,
        },
        productId,
      );
    };

    it('starts the SKU at INITIAL_STOCK and publishes inventory.stock-changed.v1 (created)', async () => {
      const sku = uniqueSku('NEW');
      await inventory.applied(await productCreated(sku), INVENTORY_PRODUCTS_CONSUMER);

      expect(await inventory.level(sku)).toEqual({ sku, available: INITIAL_STOCK, reserved: 0, sold: 0 });
      const event = await publishedEvent(async () =>
        (await inventory.published(StockChangedV1)).find((candidate) => candidate.payload.sku === sku),
      );
      expect(event).toMatchObject({
        source: 'inventory',
        aggregateId: sku,
        payload: { sku, available: INITIAL_STOCK, reserved: 0, sold: 0, reason: 'created' },
      });
    });

    it('leaves a SKU that already has stock as it is, and announces nothing', async () => {
      const sku = uniqueSku('OLD');
      await inventory.givenStock(sku, 3);

      await inventory.applied(await productCreated(sku), INVENTORY_PRODUCTS_CONSUMER);

      expect(await inventory.level(sku)).toEqual({ sku, available: 3, reserved: 0, sold: 0 });
      const created = (await inventory.recorded(StockChangedV1)).filter((event) => event.payload.sku === sku);
      expect(created).toEqual([]);
    });
  });

  describe('inventory.reserve-stock.v1', () => {
    it('reserves every line: available moves to reserved and the reservation is announced', async () => {
      const [a, b] = [uniqueSku('RA'), uniqueSku('RB')];
      await inventory.givenStock(a, 5);
      await inventory.givenStock(b, 2);
      const orderId = randomUUID();

      // Two lines of one SKU count as one line of both quantities.
      await reserve(orderId, [
        { sku: b, quantity: 2 },
        { sku: a, quantity: 1 },
        { sku: a, quantity: 2 },
      ]);

      expect(await inventory.level(a)).toEqual({ sku: a, available: 2, reserved: 3, sold: 0 });
      expect(await inventory.level(b)).toEqual({ sku: b, available: 0, reserved: 2, sold: 0 });
      const reservation = await reservationOf(orderId);
      expect(reservation?.status).toBe('reserved');
      expect(reservation?.lines.map(({ sku, quantity }) => ({ sku, quantity }))).toEqual(
        [
          { sku: a, quantity: 3 },
          { sku: b, quantity: 2 },
        ].sort((x, y) => x.sku.localeCompare(y.sku)),
      );
      const ttl = reservation!.expiresAt.getTime() - reservation!.createdAt.getTime();
      expect(ttl).toBe(inventory.config.RESERVATION_TTL_SECONDS * 1_000);

      const reserved = await publishedEvent(async () =>
        (await inventory.published(StockReservedV1)).find((event) => event.payload.orderId === orderId),
      );
      expect(reserved.payload).toEqual({
        orderId,
        reservationId: reservation?.id,
        lines: expect.arrayContaining([
          { sku: a, quantity: 3 },
          { sku: b, quantity: 2 },
        ]),
        expiresAt: reservation?.expiresAt.toISOString(),
      });
      const changes = (await inventory.recorded(StockChangedV1)).filter((event) => [a, b].includes(event.payload.sku));
      expect(changes.map((event) => event.payload)).toEqual(
        expect.arrayContaining([
          { sku: a, available: 2, reserved: 3, sold: 0, version: 1, reason: 'reserved' },
          { sku: b, available: 0, reserved: 2, sold: 0, version: 1, reason: 'reserved' },
        ]),
      );
      expect(changes).toHaveLength(2);
    });

    it('reserves nothing when one line is short, and names the shortage', async () => {
      // "A" sorts first, so its units are taken before "B" turns out short and must be given back.
      const prefix = uniqueSku('AON');
      const [a, b] = [`${prefix}-A`, `${prefix}-B`];
      await inventory.givenStock(a, 5);
      await inventory.givenStock(b, 1);
      const orderId = randomUUID();

      const command = await reserve(orderId, [
        { sku: a, quantity: 2 },
        { sku: b, quantity: 2 },
      ]);

      expect(await inventory.level(a)).toEqual({ sku: a, available: 5, reserved: 0, sold: 0 });
      expect(await inventory.level(b)).toEqual({ sku: b, available: 1, reserved: 0, sold: 0 });
      expect(await reservationOf(orderId)).toBeNull();
      const failed = await publishedEvent(async () =>
        (await inventory.published(StockReservationFailedV1)).find((event) => event.payload.orderId === orderId),
      );
      expect(failed).toMatchObject({
        causationId: command.id,
        correlationId: command.correlationId,
        payload: { orderId, reason: 'insufficient_stock', shortages: [{ sku: b, requested: 2, available: 1 }] },
      });
      expect(await recordedFor(inventory.recorded(StockReservedV1), orderId)).toEqual([]);
    });

    it('reserves nothing for an order with a SKU inventory does not know', async () => {
      const sku = uniqueSku('KNOWN');
      const unknown = uniqueSku('NOPE');
      await inventory.givenStock(sku, 5);
      const orderId = randomUUID();

      await reserve(orderId, [
        { sku, quantity: 1 },
        { sku: unknown, quantity: 1 },
      ]);

      expect(await inventory.level(sku)).toEqual({ sku, available: 5, reserved: 0, sold: 0 });
      const [failed] = await recordedFor(inventory.recorded(StockReservationFailedV1), orderId);
      expect(failed?.payload).toEqual({
        orderId,
        reason: 'unknown_sku',
        shortages: [{ sku: unknown, requested: 1, available: 0 }],
      });
    });

    it('treats a quantity beyond any stock as a shortage, not an error', async () => {
      const sku = uniqueSku('HUGE');
      await inventory.givenStock(sku, 5);
      const orderId = randomUUID();

      await reserve(orderId, [{ sku, quantity: 10_000_000_000 }]);

      const [failed] = await recordedFor(inventory.recorded(StockReservationFailedV1), orderId);
      expect(failed?.payload.shortages).toEqual([{ sku, requested: 10_000_000_000, available: 5 }]);
      expect(await inventory.level(sku)).toEqual({ sku, available: 5, reserved: 0, sold: 0 });
    });
  });

  describe('commit and release', () => {
    it('move the counters and keep available + reserved + sold equal to the units stocked', async () => {
      const sku = uniqueSku('CR');
      await inventory.givenStock(sku, 10);
      const [paid, cancelled] = [randomUUID(), randomUUID()];
      const total = async () => {
        const level = await inventory.level(sku);
        return level!.available + level!.reserved + level!.sold;
      };

      await reserve(paid, [{ sku, quantity: 3 }]);
      await reserve(cancelled, [{ sku, quantity: 4 }]);
      expect(await inventory.level(sku)).toEqual({ sku, available: 3, reserved: 7, sold: 0 });

      await commit(paid);
      expect(await inventory.level(sku)).toEqual({ sku, available: 3, reserved: 4, sold: 3 });
      expect(await total()).toBe(10);

      await release(cancelled, 'payment_failed');
      expect(await inventory.level(sku)).toEqual({ sku, available: 7, reserved: 0, sold: 3 });
      expect(await total()).toBe(10);

      expect((await reservationOf(paid))?.status).toBe('committed');
      expect((await reservationOf(cancelled))?.status).toBe('released');
      const committed = await publishedEvent(async () =>
        (await inventory.published(ReservationCommittedV1)).find((event) => event.payload.orderId === paid),
      );
      expect(committed.payload).toEqual({ orderId: paid, reservationId: (await reservationOf(paid))?.id });
      const released = await publishedEvent(async () =>
        (await inventory.published(ReservationReleasedV1)).find((event) => event.payload.orderId === cancelled),
      );
      expect(released.payload).toEqual({
        orderId: cancelled,
        reservationId: (await reservationOf(cancelled))?.id,
        reason: 'payment_failed',
      });
      const reasons = (await inventory.recorded(StockChangedV1))
        .filter((event) => event.payload.sku === sku)
        .map((event) => [event.payload.reason, event.payload.available + event.payload.reserved + event.payload.sold]);
      expect(reasons).toEqual([
        ['reserved', 10],
        ['reserved', 10],
        ['committed', 10],
        ['released', 10],
      ]);
    });

    it('change nothing for a reservation that ended the other way or an unknown order, and refuse such a commit', async () => {
      const sku = uniqueSku('END');
      await inventory.givenStock(sku, 4);
      const [paid, cancelled, unknown] = [randomUUID(), randomUUID(), randomUUID()];
      await reserve(paid, [{ sku, quantity: 1 }]);
      await reserve(cancelled, [{ sku, quantity: 1 }]);
      await commit(paid);
      await release(cancelled, 'payment_failed');
      const before = await inventory.level(sku);
      const outboxBefore = await inventory.prisma.outboxMessage.count();

      await release(paid);
      await commit(cancelled);
      await commit(unknown);

      expect(await inventory.level(sku)).toEqual(before);
      expect((await reservationOf(paid))?.status).toBe('committed');
      expect((await reservationOf(cancelled))?.status).toBe('released');
      expect(await reservationOf(unknown)).toBeNull();
      // The saga learns that nothing was sold for these orders; the late release of a sold one changes nothing.
      expect(await inventory.prisma.outboxMessage.count()).toBe(outboxBefore + 2);
      expect((await recordedFor(inventory.recorded(ReservationCommitFailedV1), cancelled)).map((event) => event.payload)).toEqual([
        { orderId: cancelled, reservationId: (await reservationOf(cancelled))?.id, reason: 'payment_failed' },
      ]);
      expect((await recordedFor(inventory.recorded(ReservationCommitFailedV1), unknown)).map((event) => event.payload)).toEqual([
        { orderId: unknown, reservationId: null, reason: 'no stock was reserved for the order' },
      ]);
    });
  });

  it('leaves a tombstone for a release that overtakes its reserve, and refuses the late reserve', async () => {
    const sku = uniqueSku('TOMB');
    await inventory.givenStock(sku, 5);
    const orderId = randomUUID();

    await release(orderId, 'order_timed_out');

    expect(await reservationOf(orderId)).toMatchObject({ status: 'released', lines: [] });
    const released = await publishedEvent(async () =>
      (await inventory.published(ReservationReleasedV1)).find((event) => event.payload.orderId === orderId),
    );
    expect(released.payload).toEqual({ orderId, reservationId: null, reason: 'order_timed_out' });

    await reserve(orderId, [{ sku, quantity: 1 }]);

    expect(await inventory.level(sku)).toEqual({ sku, available: 5, reserved: 0, sold: 0 });
    expect(await reservationOf(orderId)).toMatchObject({ status: 'released', lines: [] });
    const failed = await publishedEvent(async () =>
      (await inventory.published(StockReservationFailedV1)).find((event) => event.payload.orderId === orderId),
    );
    expect(failed.payload).toEqual({ orderId, reason: 'order_released', shortages: [] });
  });

  it('applies a command delivered twice, or sent again, once, and answers one sent again with the same reply', async () => {
    const sku = uniqueSku('TWICE');
    await inventory.givenStock(sku, 10);
    const orderId = randomUUID();

    const reserveCommand = await reserve(orderId, [{ sku, quantity: 2 }]);
    await inventory.redeliver(reserveCommand);
    await reserve(orderId, [{ sku, quantity: 2 }]);
    const commitCommand = await inventory.send(CommitReservationV1, { orderId });
    await inventory.applied(commitCommand);
    await inventory.redeliver(commitCommand);
    await commit(orderId);
    const released = randomUUID();
    await reserve(released, [{ sku, quantity: 1 }]);
    await release(released, 'payment_failed');
    await release(released, 'payment_failed');
    // A marker behind the repeats: once it is applied, every repeat before it has been handled.
    await reserve(randomUUID(), [{ sku, quantity: 1 }]);

    expect(await inventory.level(sku)).toEqual({ sku, available: 7, reserved: 1, sold: 2 });
    const payloads = async (definition: Parameters<typeof inventory.recorded>[0], id: string) =>
      (await recordedFor(inventory.recorded(definition) as Promise<{ payload: { orderId: string } }[]>, id)).map((event) => event.payload);
    const [reserved, again] = await payloads(StockReservedV1, orderId);
    expect(again).toEqual(reserved);
    const [committed, committedAgain] = await payloads(ReservationCommittedV1, orderId);
    expect(committedAgain).toEqual(committed);
    const [releasedOnce, releasedAgain] = await payloads(ReservationReleasedV1, released);
    expect(releasedAgain).toEqual(releasedOnce);
    expect((await payloads(StockReservedV1, orderId)).length + (await payloads(ReservationCommittedV1, orderId)).length).toBe(4);
    // The counters moved once per change: no stock-changed for an answer given again.
    const changes = (await inventory.recorded(StockChangedV1))
      .filter((event) => event.payload.sku === sku)
      .map((event) => event.payload.reason);
    expect(changes).toEqual(['reserved', 'committed', 'reserved', 'released', 'reserved']);
    const inbox = await inventory.prisma.inboxMessage.count({ where: { eventId: { in: [reserveCommand.id, commitCommand.id] } } });
    expect(inbox).toBe(2);
  });

  it('reserves exactly the last five units for twenty orders that want one each', async () => {
    const sku = uniqueSku('LAST');
    await inventory.givenStock(sku, 5);
    const orders: string[] = Array.from({ length: 20 }, () => randomUUID());

    const commands = await Promise.all(orders.map((orderId) => inventory.send(ReserveStockV1, { orderId, lines: [{ sku, quantity: 1 }] })));
    await Promise.all(commands.map((command) => inventory.applied(command)));

    expect(await inventory.level(sku)).toEqual({ sku, available: 0, reserved: 5, sold: 0 });
    expect(await inventory.prisma.reservation.count({ where: { orderId: { in: orders } } })).toBe(5);
    const reserved = (await inventory.recorded(StockReservedV1)).filter((event) => orders.includes(event.payload.orderId));
    const failed = (await inventory.recorded(StockReservationFailedV1)).filter((event) => orders.includes(event.payload.orderId));
    expect([reserved.length, failed.length]).toEqual([5, 15]);
    expect(failed.every((event) => event.payload.reason === 'insufficient_stock')).toBe(true);
  });
});
