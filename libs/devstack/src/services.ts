/** The processes of the local system and how each is configured. One place, used by `npm start` and the tests. */

export interface PortAssignment {
  readonly http: number;
  readonly grpc?: number;
}

export interface ServiceDefinition {
  readonly name: string;
  /** Folder of the package, relative to the repository root. */
  readonly dir: string;
  /** Its own database (name without the stack's prefix), if it has one. */
  readonly database?: string;
  /** Seed script relative to `dir`, run after migrations; must be idempotent. */
  readonly seed?: string;
  readonly defaultPorts: PortAssignment;
  /** Environment beyond the common variables, given every service's ports. */
  readonly env?: (ports: Readonly<Record<string, PortAssignment>>) => Record<string, string>;
  /** The variable the HTTP port goes in. */
  readonly httpPortVariable?: string;
}

/**
 * Node flags every service process runs with, here and in the image (deploy/docker/Dockerfile):
 * young-generation semi-spaces of 8 MB instead of V8's 16, as our processes allocate much short-lived
 * garbage per request and would otherwise each keep tens of MB more resident (docs/bench.md).
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

export const SERVICES: readonly ServiceDefinition[] = [
  {
    name: 'catalog',
    dir: 'services/catalog',
    database: 'catalog',
    seed: 'dist/infrastructure/seed/seed.js',
    defaultPorts: { http: 3001, grpc: 50051 },
  },
  {
    name: 'inventory',
    dir: 'services/inventory',
    database: 'inventory',
    defaultPorts: { http: 3002, grpc: 50052 },
    // Stock rows are created from catalog.product-created.v1; the demo starts each product with 25.
    env: () => ({ INITIAL_STOCK: process.env.INITIAL_STOCK ?? '25' }),
  },
  {
    name: 'order',
    dir: 'services/order',
    database: 'order',
    defaultPorts: { http: 3003 },
    env: (ports) => ({ CATALOG_GRPC_URL: `127.0.0.1:${ports.catalog?.grpc}` }),
  },
  {
    name: 'payment',
    dir: 'services/payment',
    database: 'payment',
    defaultPorts: { http: 3004 },
  },
  {
    name: 'gateway',
    dir: 'gateway',
    defaultPorts: { http: 8080 },
    httpPortVariable: 'PORT',
    env: (ports) => ({
      CATALOG_GRPC_URL: `127.0.0.1:${ports.catalog?.grpc}`,
      ORDER_URL: `http://127.0.0.1:${ports.order?.http}`,
      INVENTORY_URL: `http://127.0.0.1:${ports.inventory?.http}`,
      PAYMENT_URL: `http://127.0.0.1:${ports.payment?.http}`,
    }),
  },
];
