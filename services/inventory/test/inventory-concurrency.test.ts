import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { StockChangedV1, type EnvelopeOf } from '@storefront/contracts';
import { UNIT_OF_WORK, type UnitOfWork } from '@storefront/ddd';
import { CommitReservationHandler } from '../src/application/commands/commit-reservation/commit-reservation.handler';
import { ReleaseReservationHandler } from '../src/application/commands/release-reservation/release-reservation.handler';
import { ReserveStockHandler } from '../src/application/commands/reserve-stock/reserve-stock.handler';
import { RestockHandler } from '../src/application/commands/restock/restock.handler';
import { sqlOf } from '../src/infrastructure/prisma/prisma-unit-of-work';
import { startInventory, uniqueSku, type InventoryUnderTest } from './inventory-app';

/**
 * Many transactions at once, as several replicas (or one replica's future parallel consumers)
 * would run them. One consumer applies commands one by one, so these call the use cases directly,
 * each in a transaction of its own.
 */
describe('stock under concurrent transactions', () => {
  let inventory: InventoryUnderTest;
  let unitOfWork: UnitOfWork;
  let reserveStock: ReserveStockHandler;
  let commitReservation: CommitReservationHandler;
  let releaseReservation: ReleaseReservationHandler;
  let restock: RestockHandler;

  const reserve = (orderId: string, lines: { sku: string; quantity: number }[]) =>
    unitOfWork.run((tx) => reserveStock.execute({ orderId, lines }, tx));

  beforeAll(async () => {
    inventory = await startInventory();
    unitOfWork = inventory.app.get(UNIT_OF_WORK);
    reserveStock = inventory.app.get(ReserveStockHandler);
    commitReservation = inventory.app.get(CommitReservationHandler);
    releaseReservation = inventory.app.get(ReleaseReservationHandler);
    restock = inventory.app.get(RestockHandler);
  });

  afterAll(async () => {
    await inventory.close();
  });

  it('gives the last five units to exactly five of twenty simultaneous orders, never going below zero', async () => {
    const sku = uniqueSku('RACE');
    await inventory.givenStock(sku, 5);
    const lowest = { available: Infinity, reserved: Infinity };
    let racing = true;
    const sampler = (async () => {
      while (racing) {
        const level = await inventory.level(sku);
        lowest.available = Math.min(lowest.available, level!.available);
        lowest.reserved = Math.min(lowest.reserved, level!.reserved);
      }
    })();

    const connections = new Set<number>();
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        unitOfWork.run(async (tx) => {
          const [{ pid }] = await sqlOf(tx).$queryRawUnsafe<[{ pid: number }]>('SELECT pg_backend_pid() AS pid');
          connections.add(pid);
          return reserveStock.execute({ orderId: randomUUID(), lines: [{ sku, quantity: 1 }] }, tx);
        }),
      ),
    );
    racing = false;
    await sampler;

    // The premise: the transactions ran side by side on several connections, not one after another.
    expect(connections.size).toBeGreaterThan(1);

    expect(outcomes.filter((outcome) => outcome === 'reserved')).toHaveLength(5);
    expect(outcomes.filter((outcome) => outcome === 'refused')).toHaveLength(15);
    expect(await inventory.level(sku)).toEqual({ sku, available: 0, reserved: 5, sold: 0 });
    expect(lowest.available).toBeGreaterThanOrEqual(0);
    expect(lowest.reserved).toBeGreaterThanOrEqual(0);
    expect(await inventory.prisma.reservationLine.aggregate({ where: { sku }, _sum: { quantity: true } })).toEqual({
      _sum: { quantity: 5 },
    });
  });

  it('conserves every unit when overlapping orders reserve, commit, release and restock at once', async () => {
    const order = fc.record({
      lines: fc.array(fc.record({ sku: fc.integer({ min: 0, max: 2 }), quantity: fc.integer({ min: 1, max: 3 }) }), {
        minLength: 1,
        maxLength: 3,
      }),
      then: fc.constantFrom('commit', 'release', 'keep'),
    });
    const scenario = fc.record({
      initial: fc.tuple(fc.nat(6), fc.nat(6), fc.nat(6)),
      orders: fc.array(order, { minLength: 1, maxLength: 8 }),
      restocks: fc.array(fc.record({ sku: fc.integer({ min: 0, max: 2 }), quantity: fc.integer({ min: 1, max: 4 }) }), {
        maxLength: 3,
      }),
    });

    await fc.assert(
      fc.asyncProperty(scenario, async ({ initial, orders, restocks }) => {
        const skus = [uniqueSku('P0'), uniqueSku('P1'), uniqueSku('P2')];
        for (const [index, sku] of skus.entries()) await inventory.givenStock(sku, initial[index]!);
        const placed = orders.map((candidate) => ({
          ...candidate,
          orderId: randomUUID(),
          lines: candidate.lines.map((line) => ({ sku: skus[line.sku]!, quantity: line.quantity })),
        }));

        // Reservations race each other and the restocks; then commits and releases race each other.
        await Promise.all([
          ...placed.map((candidate) => reserve(candidate.orderId, candidate.lines)),
          ...restocks.map((entry) => restock.execute({ sku: skus[entry.sku]!, quantity: entry.quantity })),
        ]);
        await Promise.all(
          placed.map((candidate) =>
            unitOfWork.run((tx) =>
              candidate.then === 'commit'
                ? commitReservation.execute({ orderId: candidate.orderId }, tx)
                : candidate.then === 'release'
                  ? releaseReservation.execute({ orderId: candidate.orderId, reason: 'test' }, tx)
                  : Promise.resolve(),
            ),
          ),
        );

        const lines = await inventory.prisma.reservationLine.findMany({
          where: { sku: { in: skus } },
          include: { reservation: { select: { status: true } } },
        });
        for (const [index, sku] of skus.entries()) {
          const level = (await inventory.level(sku))!;
          const stocked = initial[index]! + restocks.filter((entry) => entry.sku === index).reduce((sum, entry) => sum + entry.quantity, 0);
          const held = (status: string) =>
            lines.filter((line) => line.sku === sku && line.reservation.status === status).reduce((sum, line) => sum + line.quantity, 0);
          expect(level.available + level.reserved + level.sold).toBe(stocked);
          expect(level.reserved).toBe(held('reserved'));
          expect(level.sold).toBe(held('committed'));
          expect(Math.min(level.available, level.reserved, level.sold)).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('numbers the stock changes of a SKU in the order they happened, which their times need not follow', async () => {
    const sku = uniqueSku('SEQ');
    await inventory.givenStock(sku, 10);
    const [held, other] = [randomUUID(), randomUUID()];
    await reserve(held, [{ sku, quantity: 2 }]);

    // The release of `held` takes its time first, then waits for the reservation row the test holds;
    // meanwhile another order reserves the same SKU and commits. The release's change comes last.
    const blocker = inventory.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT "id" FROM "reservations" WHERE "order_id" = ${held}::uuid FOR UPDATE`;
      const release = unitOfWork.run((inner) => releaseReservation.execute({ orderId: held, reason: 'cancelled' }, inner));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await reserve(other, [{ sku, quantity: 1 }]);
      return { release }; // wrapped: the release can only finish once this transaction has ended
    });
    await (
      await blocker
    ).release;

    const changes = (await inventory.recorded(StockChangedV1)).filter((event) => event.payload.sku === sku);
    expect(changes.map((event) => event.payload.reason)).toEqual(['reserved', 'reserved', 'released']);
    const [, reserved, released] = changes as [unknown, EnvelopeOf<typeof StockChangedV1>, EnvelopeOf<typeof StockChangedV1>];
    // Why projections cannot go by time: the newest change carries the older timestamp.
    expect(Date.parse(released.occurredAt)).toBeLessThan(Date.parse(reserved.occurredAt));
    expect(changes.map((event) => event.payload.version)).toEqual([1, 2, 3]);
    expect(released.payload).toMatchObject({ ...(await inventory.level(sku)), version: 3 });
  });
});
