import type { OrderDto, ProductPageDto, StockLevelDto } from '@storefront/contracts';
import { SERVICES } from '@storefront/devstack';
import { startTestStack, type TestStack } from '@storefront/devstack/testing';
import { waitFor } from '@storefront/testing';
import { renderWaterfall, type CollectedSpan } from '@storefront/traces';

const address = { name: 'Ada Lovelace', line1: '12 Analytical St', city: 'London', postalCode: 'N1 9GU', country: 'GB' };
const customer = { subject: 'trace-customer' };

/**
 * Tracing across real processes: one order placed at the gateway is one trace through REST, gRPC,
 * PostgreSQL (plain pg, and Prisma for the order list), the outbox, NATS and every consumer of the saga,
 * exported to the stack’s own collector.
 */
describe('order trace end to end', () => {
  let stack: TestStack;
  let traceId: string;
  let spans: CollectedSpan[];
  /** The trace of GET /api/orders: the order history's reads go through Prisma. */
  let listSpans: CollectedSpan[];

  const byId = (spanId: string | undefined) => spans.find((span) => span.spanId === spanId);
  const one = (predicate: (span: CollectedSpan) => boolean, what: string): CollectedSpan => {
    const found = spans.filter(predicate);
    if (found.length !== 1) throw new Error(`expected one ${what}, found ${found.length}:\n${renderWaterfall(spans)}`);
    return found[0] as CollectedSpan;
  };
  const ancestors = (span: CollectedSpan): CollectedSpan[] => {
    const chain: CollectedSpan[] = [];
    for (let parent = byId(span.parentSpanId); parent; parent = byId(parent.parentSpanId)) chain.push(parent);
    return chain;
  };

  beforeAll(async () => {
    stack = await startTestStack({
      env: Object.fromEntries(SERVICES.map((service) => [service.name, { CONSUMER_ACK_WAIT_MS: '2000' }])),
    });
    const products = (await (await stack.api('/api/products?limit=1')).json()) as ProductPageDto;
    const product = products.items[0];
    if (!product) throw new Error('the catalog has no products');
    // Inventory creates stock from catalog.product-created.v1, moments after the catalog starts.
    await waitFor(
      async () => {
        const response = await fetch(`${stack.service('inventory').url}/stock/${product.sku}`);
        return response.ok && ((await response.json()) as StockLevelDto).available > 0;
      },
      { timeoutMs: 20_000, what: `stock of ${product.sku}` },
    );

    const placed = await stack.api(
      '/api/orders',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'trace-order-1' },
        body: JSON.stringify({
          customerId: customer.subject,
          paymentToken: 'tok_visa',
          shippingAddress: address,
          lines: [{ productId: product.id, quantity: 1 }],
        }),
      },
      customer,
    );
    expect(placed.status).toBe(201);
    traceId = placed.headers.get('x-trace-id') ?? '';
    const order = (await placed.json()) as OrderDto;
    await waitFor(
      async () => {
        const current = (await (await stack.api(`/api/orders/${order.id}`, {}, customer)).json()) as OrderDto;
        return current.status === 'confirmed';
      },
      { timeoutMs: 30_000, what: `order ${order.id} to be confirmed` },
    );

    // Spans arrive in batches from five processes; the last hop is the confirmation's publish (no
    // consumer of the stack takes it: the order history has it from the saga's own transaction).
    const traces = stack.traces;
    if (!traces) throw new Error('the test stack started no trace collector');
    spans = await waitFor(
      () => {
        const current = traces.store.trace(traceId) ?? [];
        const confirmed = current.some((span) => span.kind === 'producer' && span.name === 'publish orders.order-confirmed.v1');
        const complete = current.every(
          (span) => span.parentSpanId === undefined || current.some((other) => other.spanId === span.parentSpanId),
        );
        return confirmed && complete ? current : undefined;
      },
      { timeoutMs: 20_000, what: `the whole trace ${traceId}` },
    );
    const listed = await stack.api('/api/orders', {}, customer);
    expect(listed.status).toBe(200);
    const listTraceId = listed.headers.get('x-trace-id') ?? '';
    listSpans = await waitFor(
      () => {
        const current = traces.store.trace(listTraceId) ?? [];
        return current.some((span) => span.service === 'order' && span.name.startsWith('prisma:')) ? current : undefined;
      },
      { timeoutMs: 20_000, what: `the order service's Prisma spans in trace ${listTraceId}` },
    );
  }, 150_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers with the trace id, and the trace starts at the gateway with the route template as its name', () => {
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const root = one((span) => span.parentSpanId === undefined, 'root span');
    expect(root).toMatchObject({
      service: 'gateway',
      kind: 'server',
      name: 'POST /api/orders',
      attributes: expect.objectContaining({ 'http.route': '/api/orders', 'http.request.method': 'POST', 'http.response.status_code': 201 }),
    });
  });

  it('holds spans of the gateway, catalog, order, inventory and payment, each linked to a parent in the same trace', () => {
    expect(new Set(spans.map((span) => span.service))).toEqual(new Set(['gateway', 'catalog', 'order', 'inventory', 'payment']));
    for (const span of spans) if (span.parentSpanId !== undefined) expect(byId(span.parentSpanId)).toBeDefined();
  });

  it('follows REST and gRPC: client spans in the caller, server spans in the callee as their children', () => {
    const gatewayCall = one((span) => span.service === 'gateway' && span.kind === 'client' && span.name === 'POST', 'gateway → order call');
    const orderServer = one((span) => span.service === 'order' && span.kind === 'server', 'order server span');
    expect(orderServer.name).toBe('POST /orders');
    expect(orderServer.parentSpanId).toBe(gatewayCall.spanId);

    const pricing = one(
      (span) => span.service === 'order' && span.kind === 'client' && span.attributes['rpc.system'] === 'grpc',
      'order → catalog call',
    );
    expect(pricing).toMatchObject({
      name: 'catalog.v1.CatalogService/GetProductsByIds',
      attributes: expect.objectContaining({ 'rpc.system': 'grpc' }),
    });
    const catalogServer = one((span) => span.service === 'catalog' && span.kind === 'server', 'catalog server span');
    expect(catalogServer).toMatchObject({
      name: 'catalog.v1.CatalogService/GetProductsByIds',
      parentSpanId: pricing.spanId,
      attributes: expect.objectContaining({ 'rpc.grpc.status_code': 0 }),
    });
  });

  it('records the database queries inside the work that made them: through Prisma, and on plain pg (SqlDatabase)', () => {
    const orderServer = one((span) => span.service === 'order' && span.kind === 'server', 'order server span');
    const pg = spans.filter((span) => span.name === 'pg:query');
    // An order's path runs on plain pg in every service (placing it, its reads, the consumers)…
    expect(new Set(pg.map((span) => span.service))).toEqual(new Set(['catalog', 'order', 'inventory', 'payment']));
    // …and the order history's reads through Prisma, inside the list request that made them.
    const listServer = listSpans.find((span) => span.service === 'order' && span.kind === 'server');
    const prisma = listSpans.filter((span) => span.service === 'order' && span.name.startsWith('prisma:'));
    const underListRequest = (span: CollectedSpan) => {
      for (let parent = listSpans.find((other) => other.spanId === span.parentSpanId); parent;) {
        if (parent === listServer) return true;
        const next = parent.parentSpanId;
        parent = listSpans.find((other) => other.spanId === next);
      }
      return false;
    };
    expect(listServer).toBeDefined();
    expect(prisma.some(underListRequest)).toBe(true);
    expect(pg.some((span) => span.service === 'order' && ancestors(span).includes(orderServer))).toBe(true);
    expect(pg.every((span) => typeof span.attributes['db.query.text'] === 'string')).toBe(true);
  });

  it('carries the trace through the outbox and NATS: every consumer span is the child of the publish span of its event', () => {
    const consumers = spans.filter((span) => span.kind === 'consumer');
    const subjects = new Set(consumers.map((span) => span.name.replace(/^process /, '')));
    for (const subject of ['inventory.reserve-stock.v1', 'payment.authorize-payment.v1', 'payment.authorized.v1', 'payment.captured.v1']) {
      expect(subjects).toContain(subject);
    }
    for (const consumer of consumers) {
      const publish = byId(consumer.parentSpanId);
      expect(publish).toMatchObject({
        kind: 'producer',
        name: consumer.name.replace(/^process /, 'publish '),
        attributes: expect.objectContaining({
          'messaging.system': 'nats',
          'messaging.destination.name': consumer.attributes['messaging.destination.name'],
        }),
      });
    }
    // The first event was written by the request's transaction: its publish descends from that request.
    const orderServer = one((span) => span.service === 'order' && span.kind === 'server', 'order server span');
    const reserve = one((span) => span.kind === 'producer' && span.name === 'publish inventory.reserve-stock.v1', 'reserve-stock publish');
    expect(reserve.service).toBe('order');
    expect(ancestors(reserve)).toContain(orderServer);
    // And a handler's own events continue from its consumer span: inventory answers inside it.
    const reserveConsumer = one(
      (span) => span.service === 'inventory' && span.name === 'process inventory.reserve-stock.v1',
      'reserve-stock consumer',
    );
    const reserved = one(
      (span) => span.kind === 'producer' && span.name === 'publish inventory.stock-reserved.v1',
      'stock-reserved publish',
    );
    expect(ancestors(reserved)).toContain(reserveConsumer);
    expect(
      spans.some((span) => span.service === 'inventory' && span.name === 'pg:query' && ancestors(span).includes(reserveConsumer)),
    ).toBe(true);
  });

  it('records a refused request: the exception on the server span, which a 404 does not fail; the caller’s span fails', async () => {
    const missing = await stack.api('/api/orders/00000000-0000-4000-8000-000000000000', {}, customer);
    expect(missing.status).toBe(404);
    const refusedTrace = missing.headers.get('x-trace-id') ?? '';
    const refused = await waitFor(
      () => {
        const current = stack.traces?.store.trace(refusedTrace) ?? [];
        const arrived = (service: string, kind: string) => current.some((span) => span.service === service && span.kind === kind);
        return arrived('order', 'server') && arrived('gateway', 'client') ? current : undefined;
      },
      { what: `trace ${refusedTrace}` },
    );
    const server = refused.find((span) => span.service === 'order' && span.kind === 'server');
    expect(server).toMatchObject({
      name: 'GET /orders/:id',
      status: 'unset',
      attributes: expect.objectContaining({ 'http.response.status_code': 404 }),
    });
    expect(server?.events.map((event) => event.name)).toContain('exception');
    expect(refused.find((span) => span.service === 'gateway' && span.kind === 'client')).toMatchObject({
      status: 'error',
      attributes: expect.objectContaining({ 'error.type': '404' }),
    });
  });

  it('writes the trace and span ids into the log lines made inside its spans', () => {
    const gatewayLines = stack.output
      .filter((line) => line.startsWith('gateway: {'))
      .map((line) => JSON.parse(line.slice('gateway: '.length)) as { trace_id?: string; span_id?: string; req?: { url?: string } });
    const completed = gatewayLines.filter((line) => line.trace_id === traceId);
    expect(completed.length).toBeGreaterThan(0);
    const spanIds = new Set(spans.map((span) => span.spanId));
    for (const line of completed) expect(spanIds).toContain(line.span_id);
  });
});
