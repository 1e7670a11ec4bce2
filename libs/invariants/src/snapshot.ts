import { type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { Pool, PoolClient } from 'pg';
import { STREAMS } from '@storefront/contracts';
import { DeadLetters, type DeadLetter, type Namespace } from '@storefront/messaging';

/** The services whose databases the checker reads. */
export const SERVICE_DATABASES = ['catalog', 'inventory', 'order', 'payment'] as const;
export type ServiceDatabase = (typeof SERVICE_DATABASES)[number];

export interface OrderRow {
  readonly id: string;
  readonly status: string;
  readonly totalMinor: number;
  readonly currency: string;
  readonly createdAt: Date;
  readonly lines: { readonly sku: string; readonly quantity: number }[];
  readonly hasIdempotencyKey: boolean;
}

interface StockRow {
  readonly sku: string;
  readonly available: number;
  readonly reserved: number;
  readonly sold: number;
}

interface ConsumerState {
  readonly stream: string;
  readonly name: string;
  readonly pending: number;
  readonly ackPending: number;
}

/**
 * What the checker reads of a deployment, each database in one read-only repeatable-read
 * transaction (a consistent picture of that service; across services the check is repeated until
 * the pictures agree or the settle time is over).
 */
export interface Snapshot {
  readonly orders: Map<string, OrderRow>;
  readonly history: Map<string, { status: string; totalMinor: number | null }>;
  readonly stock: Map<string, StockRow>;
  /** Reservation status by order id (lower case), and the quantities held (reserved) and sold (committed) per SKU. */
  readonly reservations: Map<string, string>;
  readonly heldBySku: Map<string, number>;
  readonly committedBySku: Map<string, number>;
  readonly availability: Map<string, StockRow>;
  readonly payments: Map<string, { status: string }>;
  readonly captures: Map<string, { amountMinor: number; currency: string }>;
  /** The simulated provider's records, when the deployment keeps them (provider_authorizations). */
  readonly providerHolds: { reference: string; idempotencyKey: string; status: string }[] | null;
  /** Unpublished outbox rows written until `until`, per service. */
  readonly outboxBacklog: Map<ServiceDatabase, { count: number; oldest: Date | null }>;
  readonly consumers: ConsumerState[];
  readonly deadLetters: DeadLetter[];
}

async function readOnly<T>(pool: Pool, read: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result = await read(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function outboxBacklog(client: PoolClient, until: Date): Promise<{ count: number; oldest: Date | null }> {
  const { rows } = await client.query<{ count: string; oldest: Date | null }>(
    'SELECT count(*) AS count, min(created_at) AS oldest FROM outbox WHERE published_at IS NULL AND created_at <= $1',
    [until],
  );
  return { count: Number(rows[0]?.count ?? 0), oldest: rows[0]?.oldest ?? null };
}

const add = (map: Map<string, number>, key: string, quantity: number) => map.set(key, (map.get(key) ?? 0) + quantity);

export async function readSnapshot(sources: {
  readonly pools: Readonly<Record<ServiceDatabase, Pool>>;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly namespace: Namespace;
  readonly until: Date;
}): Promise<Snapshot> {
  const { pools, until } = sources;
  const outbox = new Map<ServiceDatabase, { count: number; oldest: Date | null }>();

  const order = readOnly(pools.order, async (client) => {
    const orders = new Map<string, OrderRow>();
    const { rows } = await client.query<{
      id: string;
      status: string;
      total_minor: number;
      currency: string;
      created_at: Date;
      keyed: boolean;
    }>(
      `SELECT o.id, o.status, o.total_minor, o.currency, o.created_at,
              EXISTS (SELECT 1 FROM idempotency_keys k WHERE k.order_id = o.id) AS keyed
         FROM orders o`,
    );
    for (const row of rows) {
      orders.set(row.id, {
        id: row.id,
        status: row.status,
        totalMinor: row.total_minor,
        currency: row.currency,
        createdAt: row.created_at,
        lines: [],
        hasIdempotencyKey: row.keyed,
      });
    }
    const lines = await client.query<{ order_id: string; sku: string; quantity: number }>(
      'SELECT order_id, sku, quantity FROM order_lines',
    );
    for (const line of lines.rows) orders.get(line.order_id)?.lines.push({ sku: line.sku, quantity: line.quantity });
    const history = new Map<string, { status: string; totalMinor: number | null }>();
    const historyRows = await client.query<{ order_id: string; status: string; total_minor: number | null }>(
      'SELECT order_id, status, total_minor FROM order_history',
    );
    for (const row of historyRows.rows) history.set(row.order_id, { status: row.status, totalMinor: row.total_minor });
    outbox.set('order', await outboxBacklog(client, until));
    return { orders, history };
  });

  const inventory = readOnly(pools.inventory, async (client) => {
    const stock = new Map<string, StockRow>();
    for (const row of (await client.query<StockRow>('SELECT sku, available, reserved, sold FROM stock')).rows) stock.set(row.sku, row);
    const reservations = new Map<string, string>();
    for (const row of (
      await client.query<{ order_id: string; status: string }>('SELECT order_id, lower(status) AS status FROM reservations')
    ).rows) {
      reservations.set(row.order_id, row.status);
    }
    const heldBySku = new Map<string, number>();
    const committedBySku = new Map<string, number>();
    const lines = await client.query<{ sku: string; status: string; quantity: string }>(
      `SELECT l.sku, lower(r.status) AS status, sum(l.quantity) AS quantity
         FROM reservation_lines l JOIN reservations r ON r.id = l.reservation_id
        GROUP BY l.sku, lower(r.status)`,
    );
    for (const row of lines.rows) {
      if (row.status === 'reserved') add(heldBySku, row.sku, Number(row.quantity));
      if (row.status === 'committed') add(committedBySku, row.sku, Number(row.quantity));
    }
    outbox.set('inventory', await outboxBacklog(client, until));
    return { stock, reservations, heldBySku, committedBySku };
  });

  const catalog = readOnly(pools.catalog, async (client) => {
    const availability = new Map<string, StockRow>();
    for (const row of (await client.query<StockRow>('SELECT sku, available, reserved, sold FROM product_availability')).rows) {
      availability.set(row.sku, row);
    }
    outbox.set('catalog', await outboxBacklog(client, until));
    return { availability };
  });

  const payment = readOnly(pools.payment, async (client) => {
    const payments = new Map<string, { status: string }>();
    for (const row of (
      await client.query<{ order_id: string; status: string }>('SELECT order_id, lower(status::text) AS status FROM payments')
    ).rows) {
      payments.set(row.order_id, { status: row.status });
    }
    const captures = new Map<string, { amountMinor: number; currency: string }>();
    const captureRows = await client.query<{ order_id: string; amount_minor: number; currency: string }>(
      'SELECT order_id, amount_minor, currency FROM captures',
    );
    for (const row of captureRows.rows) captures.set(row.order_id, { amountMinor: row.amount_minor, currency: row.currency });
    const hasLedger = await client.query<{ present: boolean }>("SELECT to_regclass('provider_authorizations') IS NOT NULL AS present");
    const providerHolds = hasLedger.rows[0]?.present
      ? (
          await client.query<{ reference: string; idempotency_key: string; status: string }>(
            'SELECT reference, idempotency_key, lower(status) AS status FROM provider_authorizations',
          )
        ).rows.map((row) => ({ reference: row.reference, idempotencyKey: row.idempotency_key, status: row.status }))
      : null;
    outbox.set('payment', await outboxBacklog(client, until));
    return { payments, captures, providerHolds };
  });

  const jetstream = (async () => {
    const consumers: ConsumerState[] = [];
    for (const definition of STREAMS) {
      const stream = sources.namespace.stream(definition);
      const infos = [];
      try {
        for await (const info of sources.jsm.consumers.list(stream)) infos.push(info);
      } catch (error) {
        if (!/stream not found/i.test((error as Error).message)) throw error;
      }
      for (const info of infos) {
        if (!info.config.durable_name) continue; // an ordered reader (pnpm dlq, a replay), not a service
        consumers.push({ stream, name: info.name, pending: info.num_pending, ackPending: info.num_ack_pending });
      }
    }
    const deadLetters = await new DeadLetters({ js: sources.js, jsm: sources.jsm, namespace: sources.namespace })
      .list()
      .catch((error: unknown) => {
        if (/stream not found/i.test((error as Error).message)) return [];
        throw error;
      });
    return { consumers, deadLetters };
  })();

  const [o, i, c, p, j] = await Promise.all([order, inventory, catalog, payment, jetstream]);
  return { ...o, ...i, ...c, ...p, ...j, outboxBacklog: outbox };
}
