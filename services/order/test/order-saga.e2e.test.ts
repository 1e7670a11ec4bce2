import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import type {
  OrderDto,
  OrderHistoryPageDto,
  OrderSummaryDto,
  OrderTimelineDto,
  PaymentDto,
  ProductPageDto,
  StockLevelDto,
} from '@storefront/contracts';
import { SERVICES } from '@storefront/devstack';
import { startTestStack, TEST_ADMIN, type TestStack } from '@storefront/devstack/testing';
import { waitFor } from '@storefront/testing';

const INITIAL_STOCK = 5;
const FINAL = new Set(['confirmed', 'cancelled', 'rejected']);
const address = { name: 'Ada Lovelace', line1: '12 Analytical St', city: 'London', postalCode: 'N1 9GU', country: 'GB' };

/**
 * The order saga across real processes (gateway, catalog, inventory, order, payment) on real
 * PostgreSQL and NATS, as `npm start` runs them.
 */
describe('order saga end to end', () => {
  let stack: TestStack;
  let productBySku: Map<string, { id: string; price: number }>;
  const placed: OrderDto[] = [];

  const json = async <T>(response: Response) => ({
    status: response.status,
    body: (await response.json()) as T,
    headers: response.headers,
  });
  const customer = (subject: string) => ({ subject });
  /** Through the gateway, as an admin unless told otherwise (admins see every customer's orders). */
  const api = (path: string, init?: RequestInit, as?: { subject: string }) => stack.api(path, init, as);
  const serviceUrl = (name: string) => stack.service(name).url;

  const place = async (
    lines: { sku: string; quantity: number }[],
    options: { token?: string; key?: string | null; customerId?: string } = {},
  ) => {
    const customerId = options.customerId ?? 'customer-1';
    const key = options.key === undefined ? randomUUID() : options.key;
    const response = await api(
      '/api/orders',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key === null ? {} : { 'idempotency-key': key }) },
        body: JSON.stringify({
          customerId,
          paymentToken: options.token ?? 'tok_visa',
          shippingAddress: address,
          lines: lines.map((line) => ({ productId: productBySku.get(line.sku)?.id, quantity: line.quantity })),
        }),
      },
      customer(customerId),
    );
    const result = await json<OrderDto>(response);
    if (result.status === 201) placed.push(result.body);
    return result;
  };
  const order = async (id: string) => (await json<OrderDto>(await api(`/api/orders/${id}`))).body;
  const settled = (id: string, timeoutMs = 30_000) =>
    waitFor(
      async () => {
        const current = await order(id);
        return FINAL.has(current.status) ? current : undefined;
      },
      { timeoutMs, intervalMs: 100, what: `order ${id} to end` },
    );
  const stock = async (sku: string) => (await json<StockLevelDto>(await fetch(`${serviceUrl('inventory')}/stock/${sku}`))).body;
  const stockSettles = (sku: string, expected: Partial<StockLevelDto>) =>
    waitFor(
      async () => {
        const level = await stock(sku);
        return Object.entries(expected).every(([key, value]) => level[key as keyof StockLevelDto] === value) ? level : undefined;
      },
      { timeoutMs: 15_000, what: `stock of ${sku} to be ${JSON.stringify(expected)}` },
    );
  const payment = async (orderId: string) => {
    const response = await fetch(`${serviceUrl('payment')}/payments/${orderId}`, {
      headers: { authorization: `Bearer ${await stack.token(TEST_ADMIN)}` },
    });
    if (response.status === 404) return undefined;
    // Anything but the payment would count as nothing captured: fail with what it was instead.
    if (response.status !== 200) throw new Error(`GET /payments/${orderId}: ${response.status} ${await response.text()}`);
    return (await json<PaymentDto>(response)).body;
  };
  const setProvider = (settings: { latencyMs: number; failureRate: number; declineAmountOverMinor: number | null }) =>
    api('/api/admin/payment-provider', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(settings),
    });
  const orderCount = async () => {
    const client = new Client({ connectionString: stack.service('order').databaseUrl });
    await client.connect();
    try {
      return Number((await client.query<{ count: string }>('SELECT count(*) FROM "orders"')).rows[0]?.count);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    const fast = { CONSUMER_ACK_WAIT_MS: '2000' };
    stack = await startTestStack({
      env: Object.fromEntries(
        SERVICES.map((service) => [service.name, service.name === 'inventory' ? { ...fast, INITIAL_STOCK: String(INITIAL_STOCK) } : fast]),
      ),
    });
    const products = (await json<ProductPageDto>(await api('/api/products?limit=100'))).body.items;
    productBySku = new Map(products.map((product) => [product.sku, { id: product.id, price: product.price.amountMinor }]));
    // Inventory creates stock from catalog.product-created.v1, moments after the catalog starts.
    for (const sku of productBySku.keys()) await stockSettles(sku, { available: INITIAL_STOCK });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('confirms an order: stock sold, payment captured once for the total', async () => {
    const { status, body } = await place([{ sku: 'AUD-0001', quantity: 2 }]);
    expect(status).toBe(201);
    expect(body).toMatchObject({ status: 'placed', total: { amountMinor: 2 * (productBySku.get('AUD-0001')?.price ?? 0) } });

    await expect(settled(body.id)).resolves.toMatchObject({ status: 'confirmed', statusReason: null });
    await expect(stockSettles('AUD-0001', { available: 3, reserved: 0, sold: 2 })).resolves.toBeDefined();
    await expect(payment(body.id)).resolves.toMatchObject({ status: 'captured', capturedAmountMinor: body.total.amountMinor });
  });

  it('rejects an order it cannot serve, reserving and charging nothing', async () => {
    const { body } = await place([
      { sku: 'AUD-0002', quantity: 1 },
      { sku: 'AUD-0003', quantity: INITIAL_STOCK + 1 },
    ]);
    const final = await settled(body.id);
    expect(final.status).toBe('rejected');
    expect(final.statusReason).toContain('AUD-0003');
    expect(await stock('AUD-0002')).toMatchObject({ available: INITIAL_STOCK, reserved: 0, sold: 0 });
    expect(await stock('AUD-0003')).toMatchObject({ available: INITIAL_STOCK, reserved: 0, sold: 0 });
    expect(await payment(body.id)).toBeUndefined();
  });

  it('cancels an order whose payment is declined and releases its reservation', async () => {
    const { body } = await place([{ sku: 'AUD-0004', quantity: 3 }], { token: 'tok_decline' });
    const final = await settled(body.id);
    expect(final).toMatchObject({ status: 'cancelled', statusReason: expect.stringContaining('payment failed') });
    await expect(stockSettles('AUD-0004', { available: INITIAL_STOCK, reserved: 0, sold: 0 })).resolves.toBeDefined();
    expect(await payment(body.id)).toMatchObject({ status: 'failed', capturedAmountMinor: 0 });
  });

  it('creates one order per Idempotency-Key, also for concurrent retries, and refuses the key for another body', async () => {
    const first = await place([{ sku: 'AUD-0005', quantity: 1 }], { key: 'retry-me-1' });
    const again = await place([{ sku: 'AUD-0005', quantity: 1 }], { key: 'retry-me-1' });
    expect(first.status).toBe(201);
    expect(again).toMatchObject({ status: 200, body: { id: first.body.id } });
    expect(again.headers.get('idempotent-replayed')).toBe('true');

    const before = await orderCount();
    const racing = await Promise.all(Array.from({ length: 6 }, () => place([{ sku: 'AUD-0006', quantity: 1 }], { key: 'retry-me-2' })));
    expect(new Set(racing.map((result) => result.body.id)).size).toBe(1);
    expect(racing.every((result) => result.status === 200 || result.status === 201)).toBe(true);
    expect(await orderCount()).toBe(before + 1);

    const other = await place([{ sku: 'AUD-0005', quantity: 2 }], { key: 'retry-me-1' });
    expect(other).toMatchObject({ status: 409, body: { code: 'ORDER.IDEMPOTENCY_KEY_REUSED' } });
    await settled(first.body.id);
    await settled(racing[0]?.body.id as string);
  });

  it.each([
    ['no Idempotency-Key', null, 'IDEMPOTENCY_KEY.REQUIRED'],
    ['a blank one', '   ', 'IDEMPOTENCY_KEY.REQUIRED'],
    ['one of 129 characters', 'k'.repeat(129), 'IDEMPOTENCY_KEY.INVALID'],
    ['one with a space inside', 'retry me', 'IDEMPOTENCY_KEY.INVALID'],
  ])('refuses an order with %s: 400 problem+json naming the header, nothing created', async (_case, key, code) => {
    const before = await orderCount();
    const { status, body, headers } = await place([{ sku: 'AUD-0005', quantity: 1 }], { key });
    expect({ status, type: headers.get('content-type') }).toEqual({
      status: 400,
      type: expect.stringContaining('application/problem+json'),
    });
    expect(body).toMatchObject({ code, errors: [{ path: 'Idempotency-Key' }] });
    expect(await orderCount()).toBe(before);
  });

  it('scopes Idempotency-Keys per customer: another customer’s key is a new order of theirs, not a conflict', async () => {
    const mine = await place([{ sku: 'AUD-0006', quantity: 1 }], { key: 'shared-key-1', customerId: 'scoped-a' });
    const theirs = await place([{ sku: 'AUD-0005', quantity: 1 }], { key: 'shared-key-1', customerId: 'scoped-b' });
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    expect(theirs.body.id).not.toBe(mine.body.id);
    expect(theirs.body.customerId).toBe('scoped-b');
    const again = await place([{ sku: 'AUD-0005', quantity: 1 }], { key: 'shared-key-1', customerId: 'scoped-b' });
    expect(again).toMatchObject({ status: 200, body: { id: theirs.body.id } });
    await settled(mine.body.id);
    await settled(theirs.body.id);
  });

  it('sells exactly the stock there is when 20 customers race for 5 units', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) => place([{ sku: 'CMP-0001', quantity: 1 }], { customerId: `racer-${index}` })),
    );
    expect(results.map((result) => `${result.status} ${result.status === 201 ? '' : JSON.stringify(result.body)}`.trim())).toEqual(
      Array<string>(20).fill('201'),
    );
    const finals = await Promise.all(results.map((result) => settled(result.body.id)));
    const outcomes = finals.map((final) => final.status);
    expect(outcomes.filter((status) => status === 'confirmed')).toHaveLength(INITIAL_STOCK);
    expect(outcomes.filter((status) => status === 'rejected')).toHaveLength(20 - INITIAL_STOCK);
    await expect(stockSettles('CMP-0001', { available: 0, reserved: 0, sold: INITIAL_STOCK })).resolves.toBeDefined();
  }, 60_000);

  it('lets a customer cancel before payment, releasing the stock and voiding the payment', async () => {
    // The provider's delay keeps the order in stock_reserved long enough to cancel it, even on a busy machine.
    await setProvider({ latencyMs: 4_000, failureRate: 0, declineAmountOverMinor: null });
    try {
      const { body } = await place([{ sku: 'CMP-0002', quantity: 2 }]);
      await waitFor(async () => (await order(body.id)).status === 'stock_reserved', { timeoutMs: 20_000 });
      const cancelled = await json<OrderDto>(await api(`/api/orders/${body.id}/cancel`, { method: 'POST' }, customer('customer-1')));
      expect(cancelled).toMatchObject({ status: 200, body: { status: 'cancelled' } });
      await expect(stockSettles('CMP-0002', { available: INITIAL_STOCK, reserved: 0, sold: 0 })).resolves.toBeDefined();
      const final = await waitFor(
        async () => {
          const current = await payment(body.id);
          return current && current.status !== 'authorized' ? current : undefined;
        },
        { timeoutMs: 30_000 },
      );
      expect(final.capturedAmountMinor).toBe(0);
      const again = await json<{ code: string }>(await api(`/api/orders/${body.id}/cancel`, { method: 'POST' }, customer('customer-1')));
      expect(again).toMatchObject({ status: 409, body: { code: 'ORDER.NOT_CANCELLABLE' } });
    } finally {
      await setProvider({ latencyMs: 0, failureRate: 0, declineAmountOverMinor: null });
    }
  });

  it.each(['order', 'payment'])(
    'still ends every order when the %s service is killed mid-saga and restarted',
    async (victim) => {
      await setProvider({ latencyMs: 1_500, failureRate: 0, declineAmountOverMinor: null });
      const sku = victim === 'order' ? 'CMP-0003' : 'CMP-0004';
      const { body } = await place([{ sku, quantity: 1 }]);
      await waitFor(async () => (await order(body.id)).status === 'stock_reserved', { timeoutMs: 10_000 });

      stack.service(victim).process.kill('SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 500));
      await stack.restart(victim);
      if (victim === 'payment') await setProvider({ latencyMs: 0, failureRate: 0, declineAmountOverMinor: null });

      await expect(settled(body.id, 60_000)).resolves.toMatchObject({ status: 'confirmed' });
      await setProvider({ latencyMs: 0, failureRate: 0, declineAmountOverMinor: null });
      await expect(stockSettles(sku, { available: INITIAL_STOCK - 1, reserved: 0, sold: 1 })).resolves.toBeDefined();
    },
    90_000,
  );

  const validLine = () => ({ productId: productBySku.get('BOK-0001')?.id, quantity: 1 });
  const validBody = () => ({ customerId: 'c-1', paymentToken: 'tok_visa', shippingAddress: address, lines: [validLine()] });
  it.each([
    ['no lines', () => ({ ...validBody(), lines: [] })],
    ['zero quantity', () => ({ ...validBody(), lines: [{ ...validLine(), quantity: 0 }] })],
    ['negative quantity', () => ({ ...validBody(), lines: [{ ...validLine(), quantity: -3 }] })],
    ['fractional quantity', () => ({ ...validBody(), lines: [{ ...validLine(), quantity: 1.5 }] })],
    ['huge quantity', () => ({ ...validBody(), lines: [{ ...validLine(), quantity: 1_000_000 }] })],
    ['a malformed product id', () => ({ ...validBody(), lines: [{ productId: 'abc', quantity: 1 }] })],
    ['an unknown product', () => ({ ...validBody(), lines: [{ productId: '00000000-0000-4000-8000-000000000000', quantity: 1 }] })],
    ['the same product twice', () => ({ ...validBody(), lines: [validLine(), validLine()] })],
    ['no payment token', () => ({ ...validBody(), paymentToken: undefined })],
    ['a malformed payment token', () => ({ ...validBody(), paymentToken: '4111 1111 1111 1111' })],
    ['no shipping address', () => ({ ...validBody(), shippingAddress: undefined })],
    ['a bad country', () => ({ ...validBody(), shippingAddress: { ...address, country: 'Germany' } })],
    ['an unknown field', () => ({ ...validBody(), discount: 100 })],
    ['a customer id with spaces', () => ({ ...validBody(), customerId: 'robert; drop table' })],
  ])('refuses an order with %s: 400 problem+json naming the problem, nothing created', async (_case, makeBody) => {
    const before = await orderCount();
    const response = await api(
      '/api/orders',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify(makeBody()),
      },
      customer('c-1'),
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await response.json()) as { detail: string; errors?: unknown[] };
    expect(problem.detail.length).toBeGreaterThan(10);
    expect(await orderCount()).toBe(before);
  });

  it('answers a long-poll (?waitFor=final) once the order ends, in one request, and refuses an unknown waitFor', async () => {
    const { body } = await place([{ sku: 'KIT-0005', quantity: 1 }]);
    const started = Date.now();
    const response = await api(`/api/orders/${body.id}?waitFor=final`, { headers: { prefer: 'wait=25' } }, customer('customer-1'));
    const answer = (await response.json()) as OrderDto;

    expect(response.status).toBe(200);
    expect(response.headers.get('preference-applied')).toBe('wait=25');
    expect(FINAL.has(answer.status)).toBe(true);
    expect(Date.now() - started).toBeLessThan(25_000);
    // A final order answers at once.
    const again = Date.now();
    expect((await api(`/api/orders/${body.id}?waitFor=final`, {}, customer('customer-1'))).status).toBe(200);
    expect(Date.now() - again).toBeLessThan(5_000);
    const bad = await api(`/api/orders/${body.id}?waitFor=shipped`, {}, customer('customer-1'));
    expect(bad.status).toBe(400);
    // Another customer's order stays "not found", waiting or not.
    expect((await api(`/api/orders/${body.id}?waitFor=final`, {}, customer('customer-2'))).status).toBe(404);
  });

  it('places an order and answers with its outcome in one request (POST ?waitFor=final), and refuses an unknown waitFor before placing', async () => {
    const before = await orderCount();
    const request = (query: string, key: string) =>
      api(
        `/api/orders${query}`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': key, prefer: 'wait=25' },
          body: JSON.stringify({
            paymentToken: 'tok_visa',
            shippingAddress: address,
            lines: [{ productId: productBySku.get('KIT-0004')?.id, quantity: 1 }],
          }),
        },
        customer('customer-1'),
      );
    const bad = await request('?waitFor=shipped', randomUUID());
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(await orderCount()).toBe(before);

    const key = randomUUID();
    const response = await request('?waitFor=final', key);
    const answer = (await response.json()) as OrderDto;
    expect(response.status).toBe(201);
    expect(response.headers.get('preference-applied')).toBe('wait=25');
    expect(response.headers.get('location')).toBe(`/api/orders/${answer.id}`);
    expect(answer.status).toBe('confirmed');
    expect(await orderCount()).toBe(before + 1);
    // The same key again: the same order, replayed, in its final status at once.
    const replay = await request('?waitFor=final', key);
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(((await replay.json()) as OrderDto).status).toBe('confirmed');
    placed.push(answer);
  });

  it('ends a long-poll after the wait asked for when the order does not get there', async () => {
    // A slow provider holds the order before its payment for a while.
    expect((await setProvider({ latencyMs: 4_000, failureRate: 0, declineAmountOverMinor: null })).status).toBe(200);
    try {
      const { body } = await place([{ sku: 'KIT-0006', quantity: 1 }]);
      const started = Date.now();
      const response = await api(`/api/orders/${body.id}?waitFor=confirmed`, { headers: { prefer: 'wait=1' } }, customer('customer-1'));
      const answer = (await response.json()) as OrderDto;
      expect(response.status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(Date.now() - started).toBeLessThan(3_500);
      expect(FINAL.has(answer.status)).toBe(false);
      await settled(body.id);
    } finally {
      await setProvider({ latencyMs: 0, failureRate: 0, declineAmountOverMinor: null });
    }
  });

  it('refuses a malformed order id and an unknown one', async () => {
    expect((await api('/api/orders/not-an-id')).status).toBe(400);
    expect((await api('/api/orders/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  const history = async (query: string) => {
    const items: OrderSummaryDto[] = [];
    let cursor: string | null = null;
    do {
      const separator = query ? '&' : '';
      const page: { status: number; body: OrderHistoryPageDto } = await json<OrderHistoryPageDto>(
        await api(`/api/orders?limit=7${separator}${query}${cursor ? `&cursor=${cursor}` : ''}`),
      );
      expect(page.status).toBe(200);
      items.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    return items;
  };
  const historyRows = async () => {
    const client = new Client({ connectionString: stack.service('order').databaseUrl });
    await client.connect();
    try {
      const orders = (await client.query('SELECT * FROM "order_history" ORDER BY "order_id"')).rows;
      const timeline = (await client.query('SELECT * FROM "order_history_timeline" ORDER BY "event_id"')).rows;
      const products = (await client.query('SELECT * FROM "order_history_products" ORDER BY "product_id"')).rows;
      return { orders, timeline, products };
    } finally {
      await client.end();
    }
  };

  it('serves the order history from its read model, equal to the write side for every order', async () => {
    const finals = await Promise.all(placed.map((entry) => settled(entry.id)));
    const all = await waitFor(
      async () => {
        const items = await history('');
        const byId = new Map(items.map((item) => [item.id, item]));
        const caughtUp = finals.every((final) => byId.get(final.id)?.status === final.status);
        return caughtUp ? byId : undefined;
      },
      { timeoutMs: 20_000, what: 'the order history to catch up' },
    );
    const comparable = (lines: OrderDto['lines']) =>
      lines
        .map((line) => ({
          productId: line.productId,
          sku: line.sku,
          quantity: line.quantity,
          unitPrice: line.unitPrice,
          lineTotal: line.lineTotal,
        }))
        .sort((a, b) => a.productId.localeCompare(b.productId));
    for (const final of finals) {
      const read = all.get(final.id) as OrderSummaryDto;
      expect(read).toMatchObject({
        customerId: final.customerId,
        status: final.status,
        statusReason: final.statusReason,
        total: final.total,
      });
      expect(comparable(read.lines)).toEqual(comparable(final.lines));
    }
    const confirmed = await history('status=confirmed');
    expect(confirmed.map((item) => item.id).sort()).toEqual(
      finals
        .filter((final) => final.status === 'confirmed')
        .map((final) => final.id)
        .sort(),
    );
    expect(confirmed.every((item) => item.paymentStatus === 'captured')).toBe(true);
    const racers = await history('customerId=racer-3');
    expect(racers).toHaveLength(1);
    const placedTimes = (await history('')).map((item) => item.placedAt);
    expect(placedTimes).toEqual([...placedTimes].sort().reverse());
    await expect(json(await api('/api/orders?status=lost'))).resolves.toMatchObject({ status: 400 });
    await expect(json(await api('/api/orders?cursor=bm9wZQ'))).resolves.toMatchObject({
      status: 400,
      body: { code: 'ORDER.INVALID_CURSOR' },
    });
  });

  it('shows every saga step of an order on its timeline', async () => {
    const confirmed = (await history('status=confirmed'))[0] as OrderSummaryDto;
    const { status, body } = await json<OrderTimelineDto>(await api(`/api/orders/${confirmed.id}/timeline`));
    expect(status).toBe(200);
    expect(body.entries.map((entry) => entry.type)).toEqual(
      expect.arrayContaining(['placed', 'stock_reserved', 'payment_authorized', 'stock_committed', 'payment_captured', 'confirmed']),
    );
    expect((await api('/api/orders/00000000-0000-4000-8000-000000000000/timeline')).status).toBe(404);
  });

  it('rebuilds the order history from the event log into a model identical to the live one', async () => {
    const before = await historyRows();
    const order = stack.service('order');
    const rebuild = spawn(process.execPath, ['dist/infrastructure/projections/projection-rebuild.js', 'order-history'], {
      cwd: join(__dirname, '..'),
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: order.databaseUrl,
        NATS_URL: stack.nats.url,
        MESSAGING_NAMESPACE: stack.messagingNamespace,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    rebuild.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    rebuild.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // Readers keep getting answers while it runs.
    const reads: number[] = [];
    const exited = new Promise<number | null>((resolve) => rebuild.once('exit', resolve));
    let done = false;
    void exited.then(() => (done = true));
    while (!done) {
      reads.push((await api('/api/orders?limit=5')).status);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await exited).toBe(0);
    expect(output).toMatch(/order-history rebuilt from \d+ events/);
    expect(reads.every((status) => status === 200)).toBe(true);
    expect(await historyRows()).toEqual(before);
  });

  it('keeps the invariants: stock conserved per SKU, and money captured only for confirmed orders', async () => {
    const finals = await Promise.all(placed.map((entry) => settled(entry.id)));
    const soldBySku = new Map<string, number>();
    let confirmedTotal = 0;
    let captured = 0;
    for (const final of finals) {
      const pay = await payment(final.id);
      if (final.status === 'confirmed') {
        confirmedTotal += final.total.amountMinor;
        for (const line of final.lines) soldBySku.set(line.sku, (soldBySku.get(line.sku) ?? 0) + line.quantity);
      }
      captured += pay?.capturedAmountMinor ?? 0;
    }
    expect(captured).toBe(confirmedTotal);
    for (const sku of productBySku.keys()) {
      const level = await stockSettles(sku, { reserved: 0 });
      expect({ sku, total: level.available + level.reserved + level.sold, sold: level.sold }).toEqual({
        sku,
        total: INITIAL_STOCK,
        sold: soldBySku.get(sku) ?? 0,
      });
    }
  });

  it('exposes request, downstream and saga metrics in Prometheus format', async () => {
    const gateway = await (await api('/metrics')).text();
    expect(gateway).toMatch(/http_server_request_duration_seconds_count\{method="POST",route="\/api\/orders",status="201"\} [1-9]/);
    expect(gateway).toMatch(/http_server_request_duration_seconds_count\{method="POST",route="\/api\/orders",status="400"\} [1-9]/);
    expect(gateway).toMatch(/storefront_downstream_call_duration_seconds_count\{downstream="order",operation="POST",outcome="ok"\} [1-9]/);
    expect(gateway).toMatch(
      /storefront_downstream_call_duration_seconds_count\{downstream="catalog",operation="ListProducts",outcome="ok"\} [1-9]/,
    );
    const order = await (await fetch(`${serviceUrl('order')}/metrics`)).text();
    // The order service was restarted by an earlier test; the orders it ended since are confirmed ones.
    expect(order).toMatch(/storefront_saga_duration_seconds_count\{outcome="confirmed"\} [1-9]/);
    expect(order).toMatch(
      /storefront_downstream_call_duration_seconds_count\{downstream="catalog",operation="GetProductsByIds",outcome="ok"\} [1-9]/,
    );
  });

  // Last: it restocks, which the conservation check above does not expect.
  it('converges the catalog’s availability to inventory’s stock after orders and restocks', async () => {
    const restock = await api('/api/admin/stock/BOK-0002/restock', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ quantity: 7 }),
    });
    expect(restock.status).toBe(200);
    for (const [sku, product] of productBySku) {
      const level = await stock(sku);
      const shown = await waitFor(
        async () => {
          const { body } = await json<{ availability: { status: string; available: number | null } }>(
            await api(`/api/products/${product.id}`),
          );
          return body.availability.available === level.available ? body.availability : undefined;
        },
        { timeoutMs: 15_000, what: `availability of ${sku} to reach ${level.available}` },
      );
      expect(shown.status).toBe(level.available === 0 ? 'out_of_stock' : level.available <= 5 ? 'low' : 'in_stock');
    }
    expect((await stock('BOK-0002')).available).toBe(INITIAL_STOCK + 7);
  });
});
