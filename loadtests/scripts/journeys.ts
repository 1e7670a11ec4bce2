// What people do in the shop, as k6 iterations. Every scenario file runs these; they differ only in
// how many VUs or arrivals per second each journey gets, and in their thresholds.
import { check, group, sleep } from 'k6';
import encoding from 'k6/encoding';
import exec from 'k6/execution';
import type { Options } from 'k6/options';
import {
  FINAL_STATUSES,
  get,
  json,
  post,
  problemCode,
  type Order,
  type Product,
  type ProductPage,
  type Response,
  type StockLevel,
} from './api.ts';
import { admin, config, customerCount, customerOf, plan } from './config.ts';
import {
  ordersCancelled,
  ordersConfirmed,
  ordersExpectedOutcome,
  ordersPlaced,
  ordersRejected,
  ordersUnfinished,
  orderTimeToConfirmed,
  unitsRestocked,
} from './metrics.ts';

/** What setup() hands every VU (k6 copies it as JSON). */
export interface TestData {
  /** Makes this run's Idempotency-Keys unique across runs by the same customers. */
  readonly runId: string;
  readonly categories: string[];
  readonly products: { id: string; sku: string; name: string; category: string }[];
  readonly searchTerms: string[];
  /** Each product is kept at or above this many units available. */
  readonly stockFloor: number;
}

export interface PrepareOptions {
  /** Units each product should have available before load starts, and that admins restock to. */
  readonly stockFloor: number;
}

const ADDRESS = { name: 'Load Test', line1: '1 Benchmark Way', city: 'Berlin', postalCode: '10115', country: 'DE' };

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

/** A person reading the page: `min` to `max` seconds, times THINK_TIME_SCALE. */
function think(min: number, max: number): void {
  if (config.thinkTimeScale > 0) sleep((min + Math.random() * (max - min)) * config.thinkTimeScale);
}

function customer() {
  return customerOf(exec.vu.idInTest);
}

function expiresAt(token: string): number {
  const payload = token.split('.')[1] ?? '';
  const claims = JSON.parse(encoding.b64decode(payload, 'rawurl', 's')) as { exp?: number };
  return claims.exp ?? 0;
}

/** Every product of the catalog, page by page (the admin's and setup's view). */
function allProducts(token: string): Product[] {
  const products: Product[] = [];
  let cursor: string | null = null;
  do {
    const response: Response = get(`/api/products?limit=100${cursor ? `&cursor=${cursor}` : ''}`, {
      endpoint: 'browse',
      name: 'GET /api/products',
      token,
    });
    const page = json<ProductPage>(response);
    if (response.status !== 200 || !page) throw new Error(`GET /api/products answered ${problemCode(response)}`);
    products.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return products;
}

function restockTo(product: Product, floor: number, token: string): number {
  const available = product.availability.available ?? 0;
  const quantity = Math.max(floor - available, Math.ceil(floor / 10));
  const response = post(
    `/api/admin/stock/${product.sku}/restock`,
    { quantity },
    {
      endpoint: 'restock',
      name: 'POST /api/admin/stock/{sku}/restock',
      token,
    },
  );
  const level = json<StockLevel>(response);
  check(response, {
    'restock: 200': (r) => r.status === 200,
    'restock: stock level of the product': () => level?.sku === product.sku && level.available >= quantity,
  });
  if (response.status === 200) unitsRestocked.add(quantity);
  return response.status;
}

/**
 * setup(): proves the tokens work against this gateway and outlive the test, tops up stock so orders
 * are not rejected for want of it, and snapshots what the journeys browse.
 */
export function prepare(options: Options, prepareOptions: PrepareOptions): TestData {
  const planned = plan(options);
  const deadline = Math.floor(Date.now() / 1000) + planned.seconds + 60;
  for (const [role, token] of [
    ['customer', customerOf(1).token],
    ['admin', admin().token],
  ] as const) {
    if (expiresAt(token) < deadline) {
      exec.test.abort(
        `The ${role} tokens expire at ${new Date(expiresAt(token) * 1000).toISOString()}, before this test can end ` +
          `(about ${Math.ceil(planned.seconds / 60)} min): make longer-lived ones, e.g. pnpm load:tokens --ttl ${planned.seconds + 3600}`,
      );
    }
  }
  if (customerCount() < planned.vus) {
    console.warn(`${customerCount()} customer tokens for up to ${planned.vus} VUs: some VUs share a customer (and its rate limit).`);
  }
  const probes = [
    { role: 'customer', path: '/api/orders?limit=1', name: 'GET /api/orders', token: customerOf(1).token },
    { role: 'admin', path: '/api/admin/payment-provider', name: 'GET /api/admin/payment-provider', token: admin().token },
  ];
  for (const { role, path, name, token } of probes) {
    const response = get(path, { endpoint: 'probe', name, token });
    if (response.status === 401 || response.status === 403) {
      exec.test.abort(
        `${config.baseUrl} refused the ${role} token (${problemCode(response)}). The tokens must be signed by the issuer ` +
          'this gateway trusts: make them with `pnpm load:tokens` for the same stack or cluster.',
      );
    }
    if (response.status !== 200) exec.test.abort(`${config.baseUrl}${path} answered ${problemCode(response)}: is the system up?`);
  }

  const products = allProducts(admin().token);
  if (products.length === 0) exec.test.abort(`${config.baseUrl} lists no products: is the catalog seeded?`);
  for (const product of products) {
    if ((product.availability.available ?? 0) < prepareOptions.stockFloor) restockTo(product, prepareOptions.stockFloor, admin().token);
  }
  const searchTerms = [...new Set(products.flatMap((product) => product.name.split(/[^A-Za-z]+/)).filter((word) => word.length >= 4))];
  return {
    runId: `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`,
    categories: [...new Set(products.map((product) => product.category.slug))],
    products: products.map((product) => ({ id: product.id, sku: product.sku, name: product.name, category: product.category.slug })),
    searchTerms,
    stockFloor: prepareOptions.stockFloor,
  };
}

/** Categories, a category's page (and the next one), a search, a product: a window shopper. */
function browseCatalog(data: TestData, token: string): string {
  let productId = pick(data.products).id;
  group('browse', () => {
    const categories = get('/api/categories', { endpoint: 'browse', name: 'GET /api/categories', token });
    check(categories, { 'categories: 200': (r) => r.status === 200 });
    think(1, 3);

    const category = pick(data.categories);
    const sort = pick(['name', 'price', '-price', '-createdAt']);
    const listing = get(`/api/products?category=${category}&sort=${sort}&limit=5`, {
      endpoint: 'browse',
      name: 'GET /api/products',
      token,
    });
    const page = json<ProductPage>(listing);
    check(listing, {
      'listing: 200': (r) => r.status === 200,
      'listing: only the chosen category': () => page !== null && page.items.every((item) => item.category.slug === category),
    });
    if (page?.nextCursor) {
      const next = get(`/api/products?category=${category}&sort=${sort}&limit=5&cursor=${page.nextCursor}`, {
        endpoint: 'browse',
        name: 'GET /api/products',
        token,
      });
      check(next, { 'next page: 200': (r) => r.status === 200 });
    }
    if (page && page.items.length > 0) productId = pick(page.items).id;
    think(2, 5);
  });

  group('search', () => {
    const term = pick(data.searchTerms);
    const found = get(`/api/products?q=${encodeURIComponent(term)}&limit=10`, { endpoint: 'search', name: 'GET /api/products?q', token });
    const page = json<ProductPage>(found);
    check(found, {
      'search: 200': (r) => r.status === 200,
      'search: every hit names the term': () =>
        page !== null && page.items.length > 0 && page.items.every((item) => item.name.toLowerCase().includes(term.toLowerCase())),
    });
    if (page && page.items.length > 0 && Math.random() < 0.5) productId = pick(page.items).id;
    think(1, 3);
  });

  group('product', () => {
    const response = get(`/api/products/${productId}`, { endpoint: 'product', name: 'GET /api/products/{id}', token });
    const product = json<Product>(response);
    check(response, {
      'product: 200': (r) => r.status === 200,
      'product: the one asked for, with availability': () => product?.id === productId && typeof product.availability.status === 'string',
    });
    think(2, 6);
  });
  return productId;
}

/** Polls the order with back-off until it is final; null when ORDER_FINAL_TIMEOUT_S passes first. */
function awaitFinal(orderId: string, token: string): Order | null {
  const deadline = Date.now() + config.orderFinalTimeoutSeconds * 1000;
  let delay = 0.1;
  while (Date.now() < deadline) {
    const response = get(`/api/orders/${orderId}`, { endpoint: 'order_status', name: 'GET /api/orders/{id}', token });
    const order = json<Order>(response);
    check(response, { 'order status: 200': (r) => r.status === 200 });
    if (order && FINAL_STATUSES.includes(order.status)) return order;
    sleep(delay);
    delay = Math.min(delay * 1.5, 1);
  }
  return null;
}

/**
 * Places an order (with an Idempotency-Key, retried with the same key on a timeout or 5xx as a real
 * client would) and follows it until final. Returns the final order, or null.
 */
function placeAndFollow(data: TestData, productId: string, token: string): Order | null {
  const others = data.products.filter((product) => product.id !== productId);
  const lines = [{ productId, quantity: 1 + Math.floor(Math.random() * 2) }];
  if (others.length > 0 && Math.random() < 0.3) lines.push({ productId: pick(others).id, quantity: 1 });
  const iteration = exec.scenario.iterationInTest;
  const declined = config.declineEvery > 0 && iteration % config.declineEvery === config.declineEvery - 1;
  const body = { lines, paymentToken: declined ? 'tok_decline' : 'tok_visa', shippingAddress: ADDRESS };
  const idempotencyKey = `k6-${data.runId}-${exec.scenario.name}-${iteration}`;

  const sentAt = Date.now();
  let response: Response | undefined;
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    response = post('/api/orders', body, {
      endpoint: 'place_order',
      name: 'POST /api/orders',
      token,
      headers: { 'idempotency-key': idempotencyKey },
      expect: [200, 201],
    });
    if (response.status !== 0 && response.status < 500) break;
    sleep(attempt);
  }
  const placed = response ? json<Order>(response) : null;
  const accepted = check(response, {
    'place order: 201 (or 200 replaying the key)': (r) => r !== undefined && (r.status === 201 || r.status === 200),
    'place order: placed for this customer': () =>
      placed !== null && placed.customerId === customer().id && placed.lines.length === lines.length,
  });
  if (!accepted || !placed) return null;
  ordersPlaced.add(1);

  const final = awaitFinal(placed.id, token);
  // A 0 for every order that did end, so the metric (and its threshold) exists in a good run too.
  ordersUnfinished.add(final ? 0 : 1);
  if (!final) {
    check(final, { 'order: final within ORDER_FINAL_TIMEOUT_S': (order) => order !== null });
    return null;
  }
  if (final.status === 'confirmed') {
    orderTimeToConfirmed.add(Date.now() - sentAt);
    ordersConfirmed.add(1);
  } else if (final.status === 'cancelled') {
    ordersCancelled.add(1);
  } else {
    ordersRejected.add(1);
  }
  const expected = declined ? 'cancelled' : 'confirmed';
  ordersExpectedOutcome.add(final.status === expected);
  check(final, {
    'order: final within ORDER_FINAL_TIMEOUT_S': () => true,
    [`order: ${expected} as its payment token says`]: (order) => order.status === expected,
  });
  return final;
}

/** A window shopper: browses, searches and looks at products, never buys. */
export function browse(data: TestData): void {
  browseCatalog(data, customer().token);
}

/** A customer: browses, buys, waits for the confirmation, looks at it and at the order history. */
export function buy(data: TestData): void {
  const { token } = customer();
  const productId = browseCatalog(data, token);
  let order: Order | null = null;
  group('checkout', () => {
    order = placeAndFollow(data, productId, token);
  });
  const final = order as Order | null;
  if (!final) return;
  think(1, 3);

  group('after purchase', () => {
    const details = get(`/api/orders/${final.id}/details`, { endpoint: 'order_details', name: 'GET /api/orders/{id}/details', token });
    const composed = json<{ id: string; timeline: unknown[] | null; unavailable: string[] }>(details);
    check(details, {
      'order details: 200': (r) => r.status === 200,
      'order details: composed from every part': () => composed?.id === final.id && composed.unavailable.length === 0,
    });
    think(2, 5);

    // The history is a read model fed by events: the order shows up a moment after it is final.
    let listed = false;
    for (let attempt = 0; attempt < 10 && !listed; attempt += 1) {
      if (attempt > 0) sleep(0.5);
      const history = get('/api/orders?limit=20', { endpoint: 'order_history', name: 'GET /api/orders', token });
      const page = json<{ items: { id: string; status: string }[] }>(history);
      check(history, { 'order history: 200': (r) => r.status === 200 });
      listed = page?.items.some((item) => item.id === final.id && item.status === final.status) ?? false;
    }
    check(listed, { 'order history: lists the order with its final status': (value) => value });
  });
}

/** Straight to the order: the path whose rate the arrival-rate scenarios ask about (orders per second). */
export function checkout(data: TestData): void {
  const { token } = customer();
  group('checkout', () => {
    const product = pick(data.products);
    const response = get(`/api/products/${product.id}`, { endpoint: 'product', name: 'GET /api/products/{id}', token });
    check(response, { 'product: 200': (r) => r.status === 200 });
    placeAndFollow(data, product.id, token);
  });
}

/** An admin receiving deliveries: restocks the products that run lowest, then waits for the next round. */
export function restock(data: TestData): void {
  const { token } = admin();
  group('restock', () => {
    const products = allProducts(token).sort((a, b) => (a.availability.available ?? 0) - (b.availability.available ?? 0));
    const low = products.filter((product) => (product.availability.available ?? 0) < data.stockFloor / 2);
    // The lowest one at least: a delivery arrives every round.
    for (const product of low.length > 0 ? low : products.slice(0, 1)) restockTo(product, data.stockFloor, token);
  });
  think(10, 20);
}
