import type { CollectedSpan } from './trace-store';
import { describeSpan, isHop, renderWaterfall, waterfallRows } from './waterfall';

const T0 = 1_795_336_350_000;

function span(spanId: string, overrides: Partial<CollectedSpan> = {}): CollectedSpan {
  return {
    traceId: 'a'.repeat(32),
    spanId: spanId.padStart(16, '0'),
    name: `span ${spanId}`,
    kind: 'internal',
    service: 'order',
    startTimeMs: T0,
    durationMs: 1,
    status: 'unset',
    attributes: {},
    events: [],
    links: [],
    ...overrides,
  };
}

/** gateway request (0-100 ms) → order request (10-60) → query (20-30); publish (60-62) → consumer (70-100). */
const trace: CollectedSpan[] = [
  span('5', {
    name: 'process orders.order-placed.v1',
    kind: 'consumer',
    service: 'inventory',
    parentSpanId: '0'.repeat(15) + '4',
    startTimeMs: T0 + 70,
    durationMs: 30,
  }),
  span('3', {
    name: 'prisma:client:db_query',
    kind: 'client',
    parentSpanId: '0'.repeat(15) + '2',
    startTimeMs: T0 + 20,
    durationMs: 10,
    attributes: { 'db.query.text': 'SELECT  "id"\n FROM "orders"' },
  }),
  span('1', {
    name: 'POST /api/orders',
    kind: 'server',
    service: 'gateway',
    durationMs: 100,
    attributes: { 'http.response.status_code': 201 },
  }),
  span('4', {
    name: 'publish orders.order-placed.v1',
    kind: 'producer',
    parentSpanId: '0'.repeat(15) + '2',
    startTimeMs: T0 + 60,
    durationMs: 2,
  }),
  span('2', {
    name: 'POST /orders',
    kind: 'server',
    parentSpanId: '0'.repeat(15) + '1',
    startTimeMs: T0 + 10,
    durationMs: 50,
    status: 'error',
  }),
];

describe('waterfallRows', () => {
  it('puts every parent before its children and siblings by start time, with depth and offset', () => {
    expect(waterfallRows(trace).map((row) => [row.span.name, row.depth, row.offsetMs])).toEqual([
      ['POST /api/orders', 0, 0],
      ['POST /orders', 1, 10],
      ['prisma:client:db_query', 2, 20],
      ['publish orders.order-placed.v1', 2, 60],
      ['process orders.order-placed.v1', 3, 70],
    ]);
  });

  it('leaves out hidden spans and hangs their children on the nearest shown ancestor', () => {
    const rows = waterfallRows(trace, (candidate) => candidate.name !== 'POST /orders');
    expect(rows.map((row) => [row.span.name, row.depth])).toEqual([
      ['POST /api/orders', 0],
      ['prisma:client:db_query', 1],
      ['publish orders.order-placed.v1', 1],
      ['process orders.order-placed.v1', 2],
    ]);
  });

  it('shows a span whose parent never arrived as a root of its own', () => {
    const rows = waterfallRows(trace.filter((candidate) => candidate.name !== 'POST /orders'));
    expect(rows.filter((row) => row.depth === 0).map((row) => row.span.name)).toEqual([
      'POST /api/orders',
      'prisma:client:db_query',
      'publish orders.order-placed.v1',
    ]);
  });
});

describe('describeSpan', () => {
  it('names the query, the called path, the status code and the consumer', () => {
    expect(describeSpan(trace[1] as CollectedSpan)).toBe('SELECT "id" FROM "orders"');
    expect(
      describeSpan(
        span('6', { kind: 'client', attributes: { 'url.full': 'http://127.0.0.1:3003/orders/42', 'http.response.status_code': 404 } }),
      ),
    ).toBe('/orders/42 → 404');
    expect(describeSpan(span('7', { kind: 'consumer', attributes: { 'messaging.consumer.group.name': 'order-saga' } }))).toBe(
      'consumer order-saga',
    );
    expect(describeSpan(span('8', { name: 'prisma:client:operation', attributes: { name: 'Order.create' } }))).toBe('Order.create');
  });
});

describe('renderWaterfall', () => {
  const lines = renderWaterfall(trace, { width: 100 }).trimEnd().split('\n');

  it('heads the picture with the trace id, span count, services and duration', () => {
    expect(lines[0]).toBe(`trace ${'a'.repeat(32)}`);
    expect(lines[1]).toContain('5 spans · gateway, order, inventory · 100 ms · 2026-');
    expect(lines[1]).toContain('1 failed');
  });

  it('draws one line per span in tree order, indented by depth, with its duration and a failure mark', () => {
    const body = lines.slice(3);
    expect(body).toHaveLength(5);
    expect(body[0]).toMatch(/^gateway {4}POST \/api\/orders → 201 +100 ms {2}█/);
    expect(body[1]).toMatch(/^order {8}POST \/orders ✗ +50\.0 ms/);
    expect(body[4]).toMatch(/^inventory {8}process orders\.order-placed\.v1 +30\.0 ms/);
  });

  it('counts no database query as a hop, through Prisma or on plain pg', () => {
    const pgQuery = span('9', {
      name: 'pg:query',
      kind: 'client',
      attributes: { 'db.system.name': 'postgresql', 'db.query.text': 'SELECT 1' },
    });
    expect(isHop(pgQuery)).toBe(false);
    expect(isHop(span('8', { name: 'prisma:client:db_query', kind: 'client' }))).toBe(false);
    expect(isHop(span('7', { name: 'POST', kind: 'client' }))).toBe(true);
  });

  it('shows only the hops when asked: no database spans', () => {
    const hops = renderWaterfall(trace, { width: 100, hopsOnly: true });
    expect(hops).toContain('5 spans (4 hops shown)');
    expect(hops).not.toContain('prisma:client:db_query');
    expect(hops).toMatch(/^inventory {8}process orders\.order-placed\.v1/m);
  });

  it('places each bar on the trace time line: a late span starts far right, the root spans the whole width', () => {
    const barOf = (line: string) => line.slice(line.indexOf(' ms  ') + 5);
    const root = barOf(lines[3] as string);
    const consumer = barOf(lines[7] as string);
    expect(root.trim().length).toBe(root.length);
    expect(consumer.indexOf('█')).toBeGreaterThan(root.length * 0.6);
    expect(consumer.length).toBe(root.length);
  });
});
