import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { dropDatabase, ensureDatabase, withDatabase } from '../src';

const SERVER = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

describe('dropDatabase', () => {
  const fresh = async () => {
    const url = withDatabase(SERVER, `test_drop_${process.pid}_${randomBytes(4).toString('hex')}`);
    await ensureDatabase(url);
    return url;
  };

  // Sessions still closing (pg-pool's end() resolves before they have) get a moment first; one that
  // stays open is ended all the same.
  it('ends a session that stays open', async () => {
    const url = await fresh();
    const client = new Client({ connectionString: url });
    const failed = new Promise<Error>((resolve) => client.on('error', resolve));
    await client.connect();
    const started = Date.now();
    await dropDatabase(url);
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(failed).resolves.toMatchObject({ message: expect.stringMatching(/terminating connection/) as unknown });
    await client.end().catch(() => undefined);
  });
});
