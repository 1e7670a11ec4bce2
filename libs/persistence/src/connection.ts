import type { Pool, PoolClient } from 'pg';

/**
 * Runs `work` on one connection of `pool` and gives it back.
 *
 * A checked-out pg client has no 'error' listener (the pool's is removed until it is released), and
 * a server that ends the session meanwhile (a restart: 57P01, then "Connection terminated
 * unexpectedly") makes it emit one: unhandled, that ends the process. The listener here catches it.
 * A connection whose work failed is destroyed rather than pooled again, so a broken one is never
 * handed out twice; a healthy one costs a reconnect, which only failing work pays.
 */
export async function withConnection<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failure: Error | undefined;
  const onError = (error: Error) => {
    failure ??= error;
  };
  client.on('error', onError);
  try {
    return await work(client);
  } catch (error) {
    failure ??= error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    // Synchronous with the release, which puts the pool's own listener back: no moment without one.
    client.removeListener('error', onError);
    client.release(failure);
  }
}
