import type { TestStack } from '@storefront/devstack/testing';
import type { InvariantId } from '@storefront/invariants';
import type { OwnNatsServer, OwnPostgres } from '@storefront/testing';
import type { FaultProxy } from './fault-proxy';

/** What an experiment may touch: the chaos stack's processes, its own servers and the fault proxies. */
export interface ChaosContext {
  readonly stack: TestStack;
  /** The stack's own nats-server (never the shared one). */
  readonly nats: OwnNatsServer;
  /** The stack's own PostgreSQL, when an experiment of the run stops it. */
  readonly postgres: OwnPostgres | undefined;
  /** Between payment and NATS: the saga's commands to payment and its replies cross it. */
  readonly paymentLink: FaultProxy;
  /** Between order and its PostgreSQL database. */
  readonly orderDatabaseLink: FaultProxy;
  /** The simulated payment provider's settings, through the gateway's admin API. */
  setProvider(settings: { latencyMs: number; failureRate: number }): Promise<void>;
  sleep(ms: number): Promise<void>;
  log(message: string): void;
}

export interface Experiment {
  readonly name: string;
  /** The fault in a few words, for the table. */
  readonly fault: string;
  readonly hypothesis: string;
  readonly blastRadius: string;
  /** The invariants this fault threatens (every check checks all of them). */
  readonly invariants: readonly InvariantId[];
  /** How long the fault lasts in a full run, and in `--quick` when it is one of the quick ones. */
  readonly seconds: number;
  readonly quickSeconds?: number;
  /** Needs a PostgreSQL of the run's own (it stops it). */
  readonly stopsPostgres?: boolean;
  /** Injects the fault, keeps it `seconds`, removes it. */
  run(context: ChaosContext, seconds: number): Promise<void>;
}

const ALWAYS: readonly InvariantId[] = ['orders-final', 'outboxes-drained', 'consumers-drained', 'dead-letters-explained'];

function kill(service: string, extra: readonly InvariantId[], hypothesis: string, blastRadius: string, quickSeconds?: number): Experiment {
  return {
    name: `kill-${service}`,
    fault: `SIGKILL ${service}, restart after the window`,
    hypothesis,
    blastRadius,
    invariants: [...extra, ...ALWAYS],
    seconds: 10,
    ...(quickSeconds ? { quickSeconds } : {}),
    run: async (context, seconds) => {
      context.stack.service(service).process.kill('SIGKILL');
      await context.sleep(seconds * 1_000);
      await context.stack.restart(service);
    },
  };
}

function pause(service: string, extra: readonly InvariantId[], hypothesis: string, blastRadius: string): Experiment {
  return {
    name: `pause-${service}`,
    fault: `SIGSTOP ${service}, SIGCONT after the window`,
    hypothesis,
    blastRadius,
    invariants: [...extra, ...ALWAYS],
    seconds: 20,
    run: async (context, seconds) => {
      const process = context.stack.service(service).process;
      process.kill('SIGSTOP');
      try {
        await context.sleep(seconds * 1_000);
      } finally {
        process.kill('SIGCONT');
      }
    },
  };
}

function link(
  name: string,
  proxy: (context: ChaosContext) => FaultProxy,
  fault: Parameters<FaultProxy['set']>[0],
  described: string,
  extra: readonly InvariantId[],
  hypothesis: string,
  blastRadius: string,
  quickSeconds?: number,
): Experiment {
  return {
    name,
    fault: described,
    hypothesis,
    blastRadius,
    invariants: [...extra, ...ALWAYS],
    seconds: 30,
    ...(quickSeconds ? { quickSeconds } : {}),
    run: async (context, seconds) => {
      proxy(context).set(fault);
      try {
        await context.sleep(seconds * 1_000);
      } finally {
        proxy(context).set({ kind: 'pass' });
      }
    },
  };
}

/**
 * Every local experiment, in the order a full run takes them. Names shared with
 * deploy/k8s/components/chaos (kill-payment, payment-link-latency, …) mean the same fault there.
 */
export const EXPERIMENTS: readonly Experiment[] = [
  kill(
    'payment',
    ['captured-matches-confirmed', 'no-open-authorization'],
    'A payment command interrupted inside a provider call is redelivered by JetStream to the restarted process and run again; the payment row and its capture are written once, so nobody is charged twice and every confirmed order is captured.',
    'The payment process: authorizations, captures and voids wait in JetStream; browsing and every other service are untouched.',
    5,
  ),
  kill(
    'inventory',
    ['stock-conserved', 'sold-matches-confirmed', 'availability-converged'],
    'Reserve, commit and release commands wait in JetStream while inventory is gone and are applied exactly once after the restart (inbox); stock stays conserved and never goes negative.',
    'The inventory process: its commands, restocks and stock events. Browsing keeps working from the catalog’s availability read model.',
  ),
  kill(
    'order',
    ['accepted-orders-recorded', 'order-history-converged'],
    'Placement fails while the order service is gone and the client retries with the same Idempotency-Key; the restarted process resumes each saga from its persisted state and the replies queued in JetStream.',
    'The order process: placement, the saga, order reads and the order history projection. Browsing is untouched.',
  ),
  kill(
    'catalog',
    ['accepted-orders-recorded', 'availability-converged'],
    'Browsing and pricing fail while the catalog is gone (503, not 500); stock events wait in JetStream and the availability read model catches up after the restart.',
    'The catalog process: browsing, pricing of new orders (gRPC) and the availability projection. Orders already placed go on.',
  ),
  kill(
    'gateway',
    ['accepted-orders-recorded'],
    'Requests in flight at the gateway are lost; a client that retries with its Idempotency-Key gets the order the first attempt placed, never a second one.',
    'The single entry point: every client request for the window. Nothing behind the gateway is touched.',
  ),
  pause(
    'inventory',
    ['stock-conserved', 'sold-matches-confirmed'],
    'A frozen inventory (a long GC pause, a stopped VM) keeps its connections open but answers nothing; its messages are redelivered after the ack wait and applied once when it thaws, and saga timeouts compensate what waited too long.',
    'The inventory process for 20 s: reservations, commits, releases and restocks.',
  ),
  pause(
    'payment',
    ['captured-matches-confirmed', 'no-open-authorization'],
    'A frozen payment process answers nothing; authorizations time out in the saga and are voided, and what it does when it thaws is answered again or compensated: never a capture without a confirmed order.',
    'The payment process for 20 s: authorizations, captures and voids.',
  ),
  {
    name: 'nats-restart',
    fault: 'nats-server stopped and started again at once',
    hypothesis:
      'Clients reconnect, streams and consumers survive on disk; outboxes hold what was not published meanwhile, and nothing acknowledged is lost.',
    blastRadius: 'Every service’s messaging for a few seconds; HTTP and the databases are untouched.',
    invariants: ALWAYS,
    seconds: 1,
    run: async (context) => {
      await context.nats.stop();
      await context.nats.start();
    },
  },
  {
    name: 'nats-outage',
    fault: 'nats-server down for the window',
    hypothesis:
      'With NATS gone for a minute, placements are still stored and their events wait in the outboxes; saga steps time out and are compensated or retried; when NATS is back the outboxes drain, consumers catch up and every order ends. Nothing is dead-lettered for an outage.',
    blastRadius: 'All messaging for 60 s: the saga stalls, read models stop; placements and reads over HTTP go on.',
    invariants: ALWAYS,
    seconds: 60,
    run: async (context, seconds) => {
      await context.nats.stop();
      try {
        await context.sleep(seconds * 1_000);
      } finally {
        await context.nats.start();
      }
    },
  },
  {
    name: 'postgres-outage',
    fault: 'PostgreSQL (the stack’s own) down for the window',
    hypothesis:
      'Every service survives a 90 s database outage (fast shutdown, sessions killed with 57P01): requests get 503 with Retry-After, readiness reports it, consumers retry instead of dead-lettering, and every accepted order ends once it is back.',
    blastRadius: 'Every database of the stack for 90 s: nothing can be written; NATS and the processes stay up.',
    invariants: ['accepted-orders-recorded', 'stock-conserved', 'captured-matches-confirmed', ...ALWAYS],
    seconds: 90,
    stopsPostgres: true,
    run: async (context, seconds) => {
      if (!context.postgres) throw new Error('postgres-outage needs the run’s own PostgreSQL');
      await context.postgres.stop();
      try {
        await context.sleep(seconds * 1_000);
      } finally {
        await context.postgres.start();
      }
    },
  },
  {
    name: 'provider-failures',
    fault: 'payment provider fails 50 % of calls',
    hypothesis:
      'Transient provider failures are retried (JetStream redelivery) with the same idempotency key: an authorization is made at most once and every void and capture gets through in the end.',
    blastRadius: 'Every provider call (authorize, capture, void) for the window; nothing else.',
    invariants: ['captured-matches-confirmed', 'no-open-authorization', ...ALWAYS],
    seconds: 30,
    quickSeconds: 10,
    run: async (context, seconds) => {
      await context.setProvider({ latencyMs: 0, failureRate: 0.5 });
      try {
        await context.sleep(seconds * 1_000);
      } finally {
        await context.setProvider({ latencyMs: 0, failureRate: 0 });
      }
    },
  },
  {
    name: 'provider-latency',
    fault: 'payment provider answers after 2 s',
    hypothesis:
      'A slow provider slows confirmations but trips no wrong compensation: commands are kept alive while they run, none is redelivered into a second authorization, and every order still ends once.',
    blastRadius: 'Every provider call for the window; placement and browsing are untouched.',
    invariants: ['captured-matches-confirmed', 'no-open-authorization', ...ALWAYS],
    seconds: 30,
    run: async (context, seconds) => {
      await context.setProvider({ latencyMs: 2_000, failureRate: 0 });
      try {
        await context.sleep(seconds * 1_000);
      } finally {
        await context.setProvider({ latencyMs: 0, failureRate: 0 });
      }
    },
  },
  {
    name: 'reservation-ttl-below-payment-latency',
    fault: 'reservations expire after 1 s, the provider takes 2 s',
    hypothesis:
      'Every reservation expires before its payment is authorized; the late commit is refused, so the saga voids the authorization and cancels: no order is confirmed and charged for units that went back on sale (issue 11, item 3).',
    blastRadius:
      'Inventory restarted with RESERVATION_TTL_SECONDS=1 and a slow provider: every order of the window is cancelled; browsing is untouched.',
    invariants: ['stock-conserved', 'sold-matches-confirmed', 'captured-matches-confirmed', 'no-open-authorization', ...ALWAYS],
    seconds: 30,
    run: async (context, seconds) => {
      await context.stack.restart('inventory', { env: { RESERVATION_TTL_SECONDS: '1', RESERVATION_SWEEP_INTERVAL_MS: '250' } });
      await context.setProvider({ latencyMs: 2_000, failureRate: 0 });
      try {
        await context.sleep(seconds * 1_000);
      } finally {
        await context.setProvider({ latencyMs: 0, failureRate: 0 });
        await context.stack.restart('inventory');
      }
    },
  },
  link(
    'payment-link-latency',
    (context) => context.paymentLink,
    { kind: 'latency', ms: 400, jitterMs: 200 },
    'payment ↔ NATS 400 ± 200 ms late (fault proxy)',
    ['captured-matches-confirmed'],
    'Payment’s traffic to NATS is 400 ± 200 ms late each way: fetches, acks and publishes slow down and orders take longer to confirm; no command redelivered because of the delay is applied twice.',
    'Payment’s connection to NATS only; every other service’s link, payment’s database and the gateway are untouched.',
  ),
  link(
    'payment-link-loss',
    (context) => context.paymentLink,
    { kind: 'loss', rate: 0.2 },
    'payment ↔ NATS loses 20 % of segments (fault proxy)',
    ['captured-matches-confirmed', 'no-open-authorization'],
    'A fifth of payment’s segments to and from NATS are lost and retransmitted: the stream stalls, acks come late, unacknowledged commands are redelivered and applied once (inbox), replies wait in the outbox.',
    'Payment’s connection to NATS only.',
  ),
  link(
    'payment-link-partition',
    (context) => context.paymentLink,
    { kind: 'partition' },
    'payment ↔ NATS partitioned (fault proxy)',
    ['captured-matches-confirmed', 'no-open-authorization'],
    'Order and payment cannot reach each other (payment is cut off from NATS): authorizations time out in the saga and are compensated with voids that wait until the partition heals; nothing is charged for a cancelled order.',
    'Payment’s connection to NATS for 30 s; order, inventory and catalog keep theirs.',
    10,
  ),
  link(
    'order-db-latency',
    (context) => context.orderDatabaseLink,
    { kind: 'latency', ms: 100, jitterMs: 20 },
    'order ↔ PostgreSQL 100 ± 20 ms late (fault proxy)',
    ['accepted-orders-recorded', 'order-history-converged'],
    'Every round trip from order to its database takes 100 ± 20 ms more: placement and saga steps slow down and pools queue, and no saga step times out into a wrong state; every order still ends once and its history converges.',
    'Order’s connections to its database only; other services’ databases and every NATS link are untouched.',
  ),
];

export const QUICK_EXPERIMENTS = EXPERIMENTS.filter((experiment) => experiment.quickSeconds !== undefined);
