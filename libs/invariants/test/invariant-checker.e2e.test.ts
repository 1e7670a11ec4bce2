import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Client } from 'pg';
import { DEADLETTER_STREAM, ORDERS_STREAM, type OrderDto, type ProductPageDto } from '@storefront/contracts';
import { REPO_ROOT } from '@storefront/devstack';
import { startTestStack, TEST_ADMIN, type TestStack } from '@storefront/devstack/testing';
import { INVARIANT_IDS, InvariantChecker, type InvariantId, type InvariantReport } from '@storefront/invariants';
import { connectNats, DeadLetters, deadLetterSubject, Namespace } from '@storefront/messaging';
import { waitFor } from '@storefront/testing';

const address = { name: 'Ada Lovelace', line1: '12 Analytical St', city: 'London', postalCode: 'N1 9GU', country: 'GB' };

/**
 * The checker against a real stack: a clean run holds every invariant, and each invariant fires
 * when the data is corrupted the way a bug would corrupt it (a direct SQL change, a consumer left
 * behind, a dead letter without a refusal). Each corruption is undone before the next.
 */
describe('the invariant checker', () => {
  let stack: TestStack;
  let checker: InvariantChecker;
  let confirmed: OrderDto;
  let cancelled: OrderDto;
  let stockTotals: Record<string, number>;
  const db = (service: string) => stack.service(service).databaseUrl as string;

  const sql = async (service: string, text: string, values: unknown[] = []) => {
    const client = new Client({ connectionString: db(service) });
    await client.connect();
    try {
      return (await client.query(text, values)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  };
  const place = async (productId: string, paymentToken: string) => {
    const response = await stack.api(
      '/api/orders',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify({ paymentToken, shippingAddress: address, lines: [{ productId, quantity: 2 }] }),
      },
      { subject: 'customer-1' },
    );
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as OrderDto;
    return waitFor(
      async () => {
        const order = (await (await stack.api(`/api/orders/${id}`)).json()) as OrderDto;
        return ['confirmed', 'cancelled', 'rejected'].includes(order.status) ? order : undefined;
      },
      { timeoutMs: 60_000, what: `order ${id} to end` },
    );
  };
  const check = (options: { acceptedOrderIds?: string[]; stockTotals?: Record<string, number> } = {}) =>
    checker.check({ settleSeconds: 0, stockTotals, ...options });
  const violated = (report: InvariantReport) => report.results.filter((result) => result.violationCount > 0).map((result) => result.id);
  /** Corrupts, checks, and always undoes; returns what was violated. */
  const corrupted = async (corrupt: () => Promise<unknown>, undo: () => Promise<unknown>, options = {}) => {
    await corrupt();
    try {
      return violated(await check(options));
    } finally {
      await undo();
    }
  };

  beforeAll(async () => {
    stack = await startTestStack();
    const page = (await (await stack.api('/api/products?limit=2')).json()) as ProductPageDto;
    const [first, second] = page.items;
    confirmed = await place(first?.id as string, 'tok_visa');
    cancelled = await place(second?.id as string, 'tok_decline');
    expect([confirmed.status, cancelled.status]).toEqual(['confirmed', 'cancelled']);
    // Initial stock (orders move units between counters, never change their sum); read once the
    // ordered products' stock exists (inventory creates it from catalog's events, after start-up).
    stockTotals = Object.fromEntries(
      (await sql('inventory', 'SELECT sku, available + reserved + sold AS total FROM stock')).map((row) => [row.sku, Number(row.total)]),
    );
    checker = await InvariantChecker.connect({
      gatewayUrl: stack.gatewayUrl,
      adminToken: await stack.token(TEST_ADMIN),
      databases: { catalog: db('catalog'), inventory: db('inventory'), order: db('order'), payment: db('payment') },
      natsUrl: stack.nats.url,
      messagingNamespace: stack.messagingNamespace,
    });
  }, 180_000);

  afterAll(async () => {
    await checker?.close();
    await stack?.stop();
  });

  it('finds every invariant holding on a clean run, after waiting for the read models to settle', async () => {
    const report = await checker.check({ settleSeconds: 30, stockTotals, acceptedOrderIds: [confirmed.id, cancelled.id] });
    expect(violated(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.results.map((result) => result.id)).toEqual(INVARIANT_IDS);
    expect(report.orders).toMatchObject({ inScope: 2, total: 2, byStatus: { confirmed: 1, cancelled: 1 } });
  });

  const sku = () => confirmed.lines[0]?.sku as string;

  const cases: [InvariantId, string, () => Promise<InvariantId[]>][] = [
    [
      'accepted-orders-recorded',
      'an accepted order the order database does not have',
      () =>
        corrupted(
          () => Promise.resolve(),
          () => Promise.resolve(),
          { acceptedOrderIds: [confirmed.id, randomUUID()] },
        ),
    ],
    [
      'orders-final',
      'an order left in payment_authorized',
      () =>
        corrupted(
          () => sql('order', "UPDATE orders SET status = 'payment_authorized' WHERE id = $1", [confirmed.id]),
          () => sql('order', "UPDATE orders SET status = 'confirmed' WHERE id = $1", [confirmed.id]),
        ),
    ],
    [
      'stock-conserved',
      'units created out of nothing',
      () =>
        corrupted(
          () => sql('inventory', 'UPDATE stock SET available = available + 1 WHERE sku = $1', [sku()]),
          () => sql('inventory', 'UPDATE stock SET available = available - 1 WHERE sku = $1', [sku()]),
        ),
    ],
    [
      'sold-matches-confirmed',
      'a confirmed order for more than was sold',
      () =>
        corrupted(
          () => sql('order', 'UPDATE order_lines SET quantity = quantity + 1 WHERE order_id = $1', [confirmed.id]),
          () => sql('order', 'UPDATE order_lines SET quantity = quantity - 1 WHERE order_id = $1', [confirmed.id]),
        ),
    ],
    [
      'captured-matches-confirmed',
      'a capture for another amount than the order total',
      () =>
        corrupted(
          () => sql('payment', 'UPDATE captures SET amount_minor = amount_minor + 1 WHERE order_id = $1', [confirmed.id]),
          () => sql('payment', 'UPDATE captures SET amount_minor = amount_minor - 1 WHERE order_id = $1', [confirmed.id]),
        ),
    ],
    [
      'no-open-authorization',
      'money still held at the provider for a cancelled order',
      async () => {
        await sql(
          'payment',
          "INSERT INTO provider_authorizations (idempotency_key, reference, status, amount_minor, currency) VALUES ('probe-hold', $1, 'held', 100, 'USD')",
          [cancelled.id],
        );
        return corrupted(
          () => Promise.resolve(),
          () => sql('payment', "DELETE FROM provider_authorizations WHERE idempotency_key = 'probe-hold'"),
        );
      },
    ],
    [
      'order-history-converged',
      'an order history that stayed behind',
      () =>
        corrupted(
          () => sql('order', "UPDATE order_history SET status = 'placed' WHERE order_id = $1", [confirmed.id]),
          () => sql('order', "UPDATE order_history SET status = 'confirmed' WHERE order_id = $1", [confirmed.id]),
        ),
    ],
    [
      'availability-converged',
      'availability in the catalog that differs from the stock',
      () =>
        corrupted(
          () => sql('catalog', 'UPDATE product_availability SET available = available - 1 WHERE sku = $1', [sku()]),
          () => sql('catalog', 'UPDATE product_availability SET available = available + 1 WHERE sku = $1', [sku()]),
        ),
    ],
    [
      'outboxes-drained',
      'an event its relay never published (payment frozen)',
      () => {
        const payment = stack.service('payment').process;
        const id = randomUUID();
        return corrupted(
          async () => {
            payment.kill('SIGSTOP');
            await sql(
              'payment',
              "INSERT INTO outbox (id, subject, envelope, created_at) VALUES ($1, 'payments.probe.v1', '{}', now() - interval '1 minute')",
              [id],
            );
          },
          async () => {
            await sql('payment', 'DELETE FROM outbox WHERE id = $1', [id]);
            payment.kill('SIGCONT');
          },
        );
      },
    ],
    [
      'consumers-drained',
      'a durable consumer that never reads its messages',
      async () => {
        const nc = await connectNats(stack.nats.url, 'invariants-test');
        const jsm = await jetstreamManager(nc);
        const stream = new Namespace(stack.messagingNamespace).stream(ORDERS_STREAM);
        try {
          return await corrupted(
            () => jsm.consumers.add(stream, { durable_name: 'probe-behind', ack_policy: AckPolicy.Explicit }),
            () => jsm.consumers.delete(stream, 'probe-behind'),
          );
        } finally {
          await nc.close();
        }
      },
    ],
    [
      'dead-letters-explained',
      'a message given up on without a refusal (as an outage used to dead-letter)',
      async () => {
        const nc = await connectNats(stack.nats.url, 'invariants-test');
        const namespace = new Namespace(stack.messagingNamespace);
        try {
          const ack = await jetstream(nc).publish(
            namespace.subject(deadLetterSubject('order', 'probe')),
            JSON.stringify({
              consumer: 'probe',
              service: 'order',
              subject: 'payments.payment-captured.v1',
              streamSequence: 1,
              deliveries: 5,
              error: { name: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:5432' },
              failedAt: new Date().toISOString(),
              data: '{}',
            }),
          );
          const letters = new DeadLetters({ js: jetstream(nc), jsm: await jetstreamManager(nc), namespace });
          expect(letters.stream).toBe(namespace.stream(DEADLETTER_STREAM));
          return await corrupted(
            () => Promise.resolve(),
            () => letters.discard(ack.seq),
          );
        } finally {
          await nc.close();
        }
      },
    ],
  ];

  it.each(cases)('%s fires on %s', async (invariant, _what, corrupt) => {
    expect(await corrupt()).toContain(invariant);
  });

  it('finds every invariant holding again once the corruptions are undone', async () => {
    expect(violated(await check({ acceptedOrderIds: [confirmed.id, cancelled.id] }))).toEqual([]);
  });

  it('holds stock to initial + restocks when told them', async () => {
    expect(violated(await check({ stockTotals: { ...stockTotals, [sku()]: (stockTotals[sku()] ?? 0) + 5 } }))).toEqual(['stock-conserved']);
  });

  describe('pnpm invariants (the command, configured by the environment as the Job configures it)', () => {
    const cli = async (args: string[]) => {
      const env = {
        ...process.env,
        GATEWAY_URL: stack.gatewayUrl,
        ADMIN_TOKEN: await stack.token(TEST_ADMIN),
        CATALOG_DATABASE_URL: db('catalog'),
        INVENTORY_DATABASE_URL: db('inventory'),
        ORDER_DATABASE_URL: db('order'),
        PAYMENT_DATABASE_URL: db('payment'),
        NATS_URL: stack.nats.url,
        MESSAGING_NAMESPACE: stack.messagingNamespace,
        INVARIANTS_SETTLE_SECONDS: '0',
      };
      return promisify(execFile)(process.execPath, [join(REPO_ROOT, 'libs/invariants/dist/cli.js'), ...args], { env }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout + error.stderr }),
      );
    };
    const jsonOf = (stdout: string) => JSON.parse(/^json: (.*)$/m.exec(stdout)?.[1] ?? 'null') as InvariantReport;

    it('prints the table and the report as JSON and exits 0 when every invariant holds', async () => {
      const { code, stdout } = await cli(['--until', new Date().toISOString()]);
      expect(stdout).toMatch(/^invariant\s+checked\s+violations\s+result$/m);
      expect(stdout).toContain('every invariant holds');
      expect(code).toBe(0);
      expect(jsonOf(stdout)).toMatchObject({ ok: true, orders: { inScope: 2 } });
    });

    it('holds nothing against orders placed after --until', async () => {
      const { code, stdout } = await cli(['--until', '2000-01-01T00:00:00Z']);
      expect(code).toBe(0);
      expect(jsonOf(stdout).orders).toMatchObject({ inScope: 0, total: 2 });
    });

    it('exits 1 and names the violation', async () => {
      await sql('order', "UPDATE order_history SET status = 'placed' WHERE order_id = $1", [confirmed.id]);
      try {
        const { code, stdout } = await cli([]);
        expect(stdout).toContain(`order-history-converged: ${confirmed.id}: history says placed, the order is confirmed`);
        expect(code).toBe(1);
      } finally {
        await sql('order', "UPDATE order_history SET status = 'confirmed' WHERE order_id = $1", [confirmed.id]);
      }
    });

    it('refuses a bad --until with a clear message and exit 2', async () => {
      const { code, stdout } = await cli(['--until', 'yesterday']);
      expect(code).toBe(2);
      expect(stdout).toContain('--until must be an ISO time');
    });
  });
});
