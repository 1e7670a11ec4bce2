import { randomBytes } from 'node:crypto';
import { Pool, type PoolClient } from 'pg';
import { dropDatabase, ensureDatabase, pgTransactionRunner, withDatabase, type PgTransaction } from '../src';

const SERVER = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** pgTransactionRunner against the real PostgreSQL: one transaction, BEGIN sent with the first statement. */
describe('pgTransactionRunner', () => {
  const database = { url: withDatabase(SERVER, `test_pgtx_${process.pid}_${randomBytes(4).toString('hex')}`) };
  let pool: Pool;
  /** Round trips (ReadyForQuery messages) of the shared pool's connections since the last reset. */
  const shared = { trips: 0 };

  /** A pool on the test database whose connections count their round trips into `counter`. */
  function countingPool(max: number, counter = { trips: 0 }): Pool {
    const counted = new Pool({ connectionString: database.url, max });
    counted.on('error', () => undefined);
    counted.on('connect', (client: PoolClient) => {
      (client as unknown as { connection: NodeJS.EventEmitter }).connection.on('readyForQuery', () => (counter.trips += 1));
    });
    return counted;
  }

  beforeAll(async () => {
    await ensureDatabase(database.url);
    pool = countingPool(2, shared);
    await pool.query('CREATE TABLE "rows" ("id" INTEGER PRIMARY KEY)');
  });

  afterAll(async () => {
    await pool?.end();
    await dropDatabase(database.url);
  });

  beforeEach(async () => {
    await pool.query('TRUNCATE "rows"');
  });

  const count = async () => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM "rows"')).rows[0]?.n);

  describe.each([false, true])('prepare: %s', (prepare) => {
    const transaction = () => pgTransactionRunner(pool, { prepare });

    it('opens the transaction with its first statement: one statement and the commit are two round trips', async () => {
      shared.trips = 0;
      const inserted = await transaction()(async (tx) => tx.$executeRawUnsafe('INSERT INTO "rows" ("id") VALUES ($1)', 1));
      expect(inserted).toBe(1);
      expect(shared.trips).toBe(2);
      expect(await count()).toBe(1);
    });

    it('runs every statement in one transaction, and returns the first statement’s rows', async () => {
      const [first, second] = await transaction()(async (tx) => [
        await tx.$queryRawUnsafe<{ at: Date; xid: string | null }[]>('SELECT now() AS "at", txid_current_if_assigned()::text AS "xid"'),
        await tx.$queryRawUnsafe<{ at: Date }[]>('SELECT now() AS "at", $1::int AS "n"', 7),
      ]);
      expect(first).toEqual([{ at: expect.any(Date), xid: null }]);
      expect(second?.[0]?.at).toEqual(first?.[0]?.at); // now() is the transaction's start
      expect(second).toEqual([{ at: expect.any(Date), n: 7 }]);
    });

    it('rolls back what came before a failing statement', async () => {
      await expect(
        transaction()(async (tx) => {
          await tx.$executeRawUnsafe('INSERT INTO "rows" ("id") VALUES ($1)', 2);
          await tx.$executeRawUnsafe('SELECT 1 / $1::int', 0);
        }),
      ).rejects.toThrow(/division by zero/);
      expect(await count()).toBe(0);
    });

    it('rolls back when the first statement fails, and when the work throws after it', async () => {
      await expect(transaction()(async (tx) => tx.$executeRawUnsafe('INSERT INTO "rows" ("id") VALUES (1 / $1::int)', 0))).rejects.toThrow(
        /division by zero/,
      );
      await expect(
        transaction()(async (tx) => {
          await tx.$executeRawUnsafe('INSERT INTO "rows" ("id") VALUES ($1)', 3);
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      expect(await count()).toBe(0);
      // The connections went back clean: a later transaction commits.
      await transaction()(async (tx) => tx.$executeRawUnsafe('INSERT INTO "rows" ("id") VALUES ($1)', 4));
      expect(await count()).toBe(1);
    });

    it('prepares a first statement again on a connection where it failed to parse', async () => {
      // One connection, so the second transaction gets the connection the first one failed on.
      const single = countingPool(1);
      try {
        const run = pgTransactionRunner(single, { prepare });
        const read = 'SELECT count(*)::int AS "n" FROM "later"';
        // The work goes on after the failure (the connection is kept): "later" does not exist yet.
        const failed = await run(async (tx) => tx.$queryRawUnsafe(read).catch((error: Error) => error.message));
        expect(failed).toMatch(/"later" does not exist/);
        await single.query('CREATE TABLE "later" ("id" INTEGER)');
        await expect(run(async (tx) => tx.$queryRawUnsafe(read))).resolves.toEqual([{ n: 0 }]);
      } finally {
        await single.query('DROP TABLE IF EXISTS "later"');
        await single.end();
      }
    });

    it('sends a write left for later with the COMMIT: a statement and a later write are two round trips', async () => {
      shared.trips = 0;
      const read = await transaction()(async (tx) => {
        const rows = await tx.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS "n" FROM "rows"');
        tx.$executeRawLater('INSERT INTO "rows" ("id") VALUES ($1)', 10);
        return rows;
      });
      expect(read).toEqual([{ n: 0 }]);
      expect(shared.trips).toBe(2);
      expect(await count()).toBe(1);
    });

    it('runs a transaction of only a later write in one round trip: BEGIN, the write and COMMIT', async () => {
      shared.trips = 0;
      await transaction()((tx) => Promise.resolve(tx.$executeRawLater('INSERT INTO "rows" ("id") VALUES ($1)', 11)));
      expect(shared.trips).toBe(1);
      expect(await count()).toBe(1);
    });

    it('sends later writes, in order, before the next statement, which sees them', async () => {
      const seen = await transaction()(async (tx) => {
        tx.$executeRawLater('INSERT INTO "rows" ("id") VALUES ($1)', 12);
        tx.$executeRawLater('UPDATE "rows" SET "id" = $1 WHERE "id" = $2', 13, 12);
        const rows = await tx.$queryRawUnsafe<{ id: number }[]>('SELECT "id" FROM "rows"');
        tx.$executeRawLater('INSERT INTO "rows" ("id") VALUES ($1)', 14);
        tx.$executeRawLater('INSERT INTO "rows" ("id") VALUES ($1)', 15);
        return rows;
      });
      expect(seen).toEqual([{ id: 13 }]);
      expect((await pool.query<{ id: number }>('SELECT "id" FROM "rows" ORDER BY "id"')).rows).toEqual([
        { id: 13 },
        { id: 14 },
        { id: 15 },
      ]);
    });

    it('sends later writes in the round trip of the next statement once they are prepared on its connection', async () => {
      // One connection, so that the second transaction finds what the first one prepared.
      const counter = { trips: 0 };
      const single = countingPool(1, counter);
      try {
        const run = pgTransactionRunner(single, { prepare });
        const work = (id: number) => async (tx: PgTransaction) => {
          tx.$executeRawLater('INSERT INTO "rows" ("id") VALUES ($1)', id);
          tx.$executeRawLater('UPDATE "rows" SET "id" = "id" + $1 WHERE "id" = $2 RETURNING "id"', 100, id); // rows nobody reads
          return tx.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS "n" FROM "rows" WHERE "id" > $1', 100);
        };
        await single.query('SELECT 1'); // the connection is open: its round trips count from here
        counter.trips = 0;
        const first = await run(work(21));
        const firstTrips = counter.trips;
        counter.trips = 0;
        const second = await run(work(22));
        expect({ first, second }).toEqual({ first: [{ n: 1 }], second: [{ n: 2 }] });
        // Prepared: each write's first Parse goes alone (two round trips), then the read and the
        // COMMIT; after that BEGIN, both writes and the read are one round trip, the COMMIT another.
        // Unprepared, the writes ride with the read every time.
        expect({ firstTrips, secondTrips: counter.trips }).toEqual(
          prepare ? { firstTrips: 4, secondTrips: 2 } : { firstTrips: 2, secondTrips: 2 },
        );
      } finally {
        await single.end();
      }
    });

    it('fails the statement a failing later write went ahead of, and commits nothing', async () => {
      const seen: string[] = [];
      await expect(
        transaction()(async (tx) => {
          await tx.$executeRawUnsafe('INSERT INTO "rows" ("id") VALUES ($1)', 23);
          tx.$executeRawLater('INSERT INTO "rows" ("id") VALUES ($1)', 23); // the primary key again
          seen.push('before');
          await tx.$queryRawUnsafe('SELECT 1');
          seen.push('after'); // never: the read fails with the write's error
        }),
      ).rejects.toThrow(/duplicate key/);
      expect(seen).toEqual(['before']);
      expect(await count()).toBe(0);
    });

    it('fails the transaction when a later write fails: the runner throws its error and nothing commits', async () => {
      await expect(
        transaction()(async (tx) => {
          await tx.$executeRawUnsafe('INSERT INTO "rows" ("id") VALUES ($1)', 16);
          tx.$executeRawLater('INSERT INTO "rows" ("id") VALUES ($1)', 16); // the primary key again
          return 'done';
        }),
      ).rejects.toThrow(/duplicate key/);
      expect(await count()).toBe(0);
      // The connections went back clean.
      await transaction()((tx) => Promise.resolve(tx.$executeRawLater('INSERT INTO "rows" ("id") VALUES ($1)', 17)));
      expect(await count()).toBe(1);
    });

    it('never sends a later write of work that throws', async () => {
      shared.trips = 0;
      await expect(
        transaction()((tx) => {
          tx.$executeRawLater('INSERT INTO "rows" ("id") VALUES ($1)', 18);
          return Promise.reject(new Error('refused'));
        }),
      ).rejects.toThrow('refused');
      expect(shared.trips).toBe(0);
      expect(await count()).toBe(0);
    });

    it('prepares a later write again on a connection where it failed to parse', async () => {
      const single = countingPool(1);
      try {
        const run = pgTransactionRunner(single, { prepare });
        const write = 'INSERT INTO "later_rows" ("id") VALUES ($1)';
        await expect(run((tx) => Promise.resolve(tx.$executeRawLater(write, 1)))).rejects.toThrow(/"later_rows" does not exist/);
        await single.query('CREATE TABLE "later_rows" ("id" INTEGER)');
        await run(async (tx) => {
          await tx.$queryRawUnsafe('SELECT 1');
          tx.$executeRawLater(write, 2);
        });
        expect((await single.query('SELECT "id" FROM "later_rows"')).rows).toEqual([{ id: 2 }]);
      } finally {
        await single.query('DROP TABLE IF EXISTS "later_rows"');
        await single.end();
      }
    });

    it('runs work after commit once the commit has answered, in order, and only then returns', async () => {
      const seen: string[] = [];
      let visible: Promise<number> | undefined;
      const result = await transaction()((tx) => {
        tx.$afterCommit(() => {
          seen.push('first');
          visible = count(); // on another connection, as soon as the callback runs
        });
        tx.$executeRawLater('INSERT INTO "rows" ("id") VALUES ($1)', 20);
        tx.$afterCommit(() => seen.push('second'));
        seen.push('work done');
        return Promise.resolve('result');
      });
      seen.push('returned');
      expect(result).toBe('result');
      expect(seen).toEqual(['work done', 'first', 'second', 'returned']);
      await expect(visible).resolves.toBe(1);
    });

    it('never runs work after commit of a transaction that rolled back, nor of one whose COMMIT failed', async () => {
      const seen: string[] = [];
      await expect(
        transaction()(async (tx) => {
          tx.$afterCommit(() => seen.push('after a throw'));
          await tx.$executeRawUnsafe('INSERT INTO "rows" ("id") VALUES ($1)', 21);
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      await expect(
        transaction()(async (tx) => {
          tx.$afterCommit(() => seen.push('after a failed commit'));
          await tx.$executeRawUnsafe('INSERT INTO "rows" ("id") VALUES ($1)', 22);
          tx.$executeRawLater('INSERT INTO "rows" ("id") VALUES ($1)', 22); // fails with the COMMIT
        }),
      ).rejects.toThrow(/duplicate key/);
      expect(seen).toEqual([]);
      expect(await count()).toBe(0);
    });

    it('keeps a transaction committed when its work after commit throws: the error goes to onAfterCommitError', async () => {
      const reported: unknown[] = [];
      const seen: string[] = [];
      const run = pgTransactionRunner(pool, { prepare, onAfterCommitError: (error) => reported.push(error) });
      const result = await run(async (tx) => {
        tx.$afterCommit(() => {
          throw new Error('publisher broke');
        });
        tx.$afterCommit(() => seen.push('second still runs'));
        await tx.$executeRawUnsafe('INSERT INTO "rows" ("id") VALUES ($1)', 23);
        return 'committed';
      });
      expect(result).toBe('committed');
      expect(reported).toEqual([new Error('publisher broke')]);
      expect(seen).toEqual(['second still runs']);
      expect(await count()).toBe(1);
    });

    it('opens no transaction for work without statements', async () => {
      shared.trips = 0;
      expect(await transaction()(() => Promise.resolve('nothing'))).toBe('nothing');
      expect(shared.trips).toBe(0);
    });
  });
});
