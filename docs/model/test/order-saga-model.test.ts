import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPan, inParallel, INSTALL_HINT, missingTools, verify, type Verification } from './spin';

// Model-checks docs/model/order-saga.pml with SPIN: the model of the code as it is satisfies every
// property, and each defect the code had (issue 11) or that is planted in it is caught.
// README.md in docs/model explains the model and how to read the trails quoted below.

const MODEL = join(__dirname, '..', 'order-saga.pml');

const PROPERTIES = [
  'settles',
  'captured_once',
  'captured_iff_confirmed',
  'sold_iff_confirmed',
  'cancelled_clean',
  'stock_conserved',
  'no_poison',
] as const;
type Property = (typeof PROPERTIES)[number];
const VACUITY = ['vacuity_confirmed', 'vacuity_cancelled', 'vacuity_rejected'] as const;

/** Fault budgets; the model's defaults are 1 each. A counterexample case uses the fewest it needs. */
function faults(budget: { loss?: number; dup?: number; crash?: number; early?: number }): string[] {
  const { loss = 0, dup = 0, crash = 0, early = 0 } = budget;
  return [`-DLOSS=${loss}`, `-DDUP=${dup}`, `-DCRASH=${crash}`, `-DEARLY=${early}`];
}

interface Counterexample {
  readonly title: string;
  readonly defines: readonly string[];
  readonly property: Property;
  /** Lines the replayed trail must print (each anywhere in it): only ones every counterexample has. */
  readonly story: readonly string[];
  /** Variables at the end of the trail. */
  readonly finalState: Readonly<Record<string, string>>;
}

/**
 * Defects the code had until issue 11, each put back into today's model with the fewest faults it
 * needs: regression cases. The commit that fixed each is in README.md ("What SPIN found").
 */
const HISTORICAL: readonly Counterexample[] = [
  {
    title: 'BUG_CAPTURE_NO_REPLY: payment does not answer a repeated CapturePayment; after a lost payment.captured the order asks for ever',
    defines: ['-DBUG_CAPTURE_NO_REPLY', ...faults({ loss: 1 })],
    property: 'settles',
    story: ['lost PaymentCaptured', '<<<<<START OF CYCLE>>>>>', 'payment ignores the capture: already CAPTURED, no reply'],
    finalState: { order: 'payment_authorized', payment: 'CAPTURED', provider: 'prov_captured' },
  },
  {
    title:
      'BUG_LATE_COMMIT_IGNORED: capture and commit at once, a commit after the expiry ignored: the order is paid, its unit back on sale',
    defines: ['-DBUG_LATE_COMMIT_IGNORED', ...faults({})],
    property: 'sold_iff_confirmed',
    story: ['reservation expires', 'inventory ignores the commit: the reservation is not RESERVED', 'order <- PaymentCaptured'],
    finalState: { order: 'confirmed', provider: 'prov_captured', reservation: 'RELEASED', sold: '0', available: '1' },
  },
  {
    title: 'BUG_AUTHORIZE_WITHOUT_INTENT: a crash after the provider approved leaves no row; the void finds none and the hold stays open',
    defines: ['-DBUG_AUTHORIZE_WITHOUT_INTENT', ...faults({ crash: 1 })],
    property: 'cancelled_clean',
    story: ['payment crashed after the provider call', 'payment <- VoidPayment', 'order <- PaymentFailed'],
    finalState: { order: 'cancelled', payment: 'VOIDED_UNAUTHORIZED', provider: 'prov_held' },
  },
  {
    title: 'BUG_VOID_NOT_RETRIED: the void after a refused commit is sent once and lost',
    defines: ['-DBUG_VOID_NOT_RETRIED', ...faults({ loss: 1 })],
    property: 'cancelled_clean',
    story: ['order <- ReservationCommitFailed', 'lost VoidPayment'],
    finalState: { order: 'cancelled', payment: 'AUTHORIZED', provider: 'prov_held' },
  },
  {
    title: 'BUG_DECLINED_VOID_UNANSWERED: payment does not answer the void of a declined payment; the cancelled order sends it for ever',
    defines: ['-DBUG_DECLINED_VOID_UNANSWERED', ...faults({})],
    property: 'settles',
    story: ['<<<<<START OF CYCLE>>>>>', 'order sends its void again', 'payment ignores the void: the payment was declined'],
    finalState: { order: 'cancelled', payment: 'FAILED', voidPending: '1' },
  },
  {
    title: 'BUG_CONFIRMED_REFUSES_CAPTURE_REPLY: the confirmed order refuses the answer to a repeated capture',
    defines: ['-DBUG_CONFIRMED_REFUSES_CAPTURE_REPLY', ...faults({ early: 1 })],
    property: 'no_poison',
    story: ['retry fired early', 'refused: dead-lettered'],
    finalState: { order: 'confirmed', poisoned: '1' },
  },
];

/** Defects planted in today's model: each must be caught by the property it breaks. */
const SEEDED: readonly Counterexample[] = [
  {
    title: 'BUG_NO_INBOX: a consumer applies a redelivered message again',
    defines: ['-DBUG_NO_INBOX', ...faults({ dup: 1 })],
    property: 'no_poison',
    story: ['consumer crashed before ack: redelivered', 'refused: dead-lettered'],
    finalState: { poisoned: '1' },
  },
  {
    title: 'BUG_PROVIDER_KEY_PER_CALL: a capture retried after a crash charges again',
    defines: ['-DBUG_PROVIDER_KEY_PER_CALL', ...faults({ crash: 1 })],
    property: 'captured_once',
    story: ['payment crashed after the provider call'],
    finalState: { charges: '2' },
  },
  {
    title: 'BUG_RELEASE_UNGUARDED: a release gives back the units of an expired reservation again',
    defines: ['-DBUG_RELEASE_UNGUARDED', ...faults({})],
    property: 'stock_conserved',
    story: ['inventory <- ReleaseReservation'],
    finalState: { reserved: '-1' },
  },
  {
    title: 'BUG_CANCEL_WITHOUT_VOID: a cancelled order leaves its payment unsettled',
    defines: ['-DBUG_CANCEL_WITHOUT_VOID', ...faults({ loss: 1 })],
    property: 'cancelled_clean',
    story: ['lost'],
    finalState: { order: 'cancelled' },
  },
  {
    title: 'BUG_TIMEOUT_GIVES_UP: past the authorization the saga stops asking, and a lost message strands the order',
    defines: ['-DBUG_TIMEOUT_GIVES_UP', ...faults({ loss: 1 })],
    property: 'settles',
    story: ['lost'],
    finalState: { order: 'payment_authorized' },
  },
  {
    title: 'BUG_CONFIRM_ON_COMMIT: the order is confirmed before the money is taken',
    defines: ['-DBUG_CONFIRM_ON_COMMIT', ...faults({ loss: 1 })],
    property: 'captured_iff_confirmed',
    story: ['lost CapturePayment'],
    finalState: { order: 'confirmed', provider: 'prov_held' },
  },
  {
    title: 'BUG_PENDING_VOID_SKIPS_PROVIDER: a void of a PENDING intent is not sent to the provider; the hold made before the crash stays',
    defines: ['-DBUG_PENDING_VOID_SKIPS_PROVIDER', ...faults({ crash: 1 })],
    property: 'cancelled_clean',
    story: ['payment crashed after the provider call', 'payment <- VoidPayment'],
    finalState: { order: 'cancelled', payment: 'VOIDED_UNAUTHORIZED', provider: 'prov_held' },
  },
  {
    title: 'BUG_PROVIDER_FORGETS_VOID: the provider keeps no record of a void before the authorization; the late authorization holds',
    defines: ['-DBUG_PROVIDER_FORGETS_VOID', ...faults({ crash: 1 })],
    property: 'cancelled_clean',
    story: ['payment gave up on the provider call', 'the provider acts on the authorization late'],
    finalState: { order: 'cancelled', provider: 'prov_held' },
  },
];

const isLiveness = (property: string): boolean => property === 'settles';

/** The model's `settled`, read from the variables at the end of a trail. */
function settled(state: Readonly<Record<string, string>>): boolean {
  const slotsFree = Object.entries(state).every(([name, value]) => !/^slot\[\d+\]\.type$/.test(name) || value === '0');
  return (
    ['confirmed', 'cancelled', 'rejected'].includes(state.order ?? '') &&
    slotsFree &&
    state.reservation !== 'RESERVED' &&
    state.voidPending === '0'
  );
}

interface Job {
  readonly label: string;
  readonly defines: readonly string[];
  readonly properties: readonly string[];
  /** Shortest counterexamples (breadth-first); only for safety properties. */
  readonly bfs?: boolean;
  /** Also under weak fairness, so a reported cycle does not rest on starving a process. */
  readonly fair?: boolean;
}

const jobs: Job[] = [
  { label: 'today', defines: [], properties: [...PROPERTIES, ...VACUITY] },
  ...[...HISTORICAL, ...SEEDED].map((example) => ({
    label: example.title,
    defines: example.defines,
    properties: [example.property],
    bfs: !isLiveness(example.property),
    fair: example.property === 'settles' && example.story.includes('<<<<<START OF CYCLE>>>>>'),
  })),
];

const skip = process.env.STOREFRONT_SKIP_MODEL_CHECK === '1';
const missing = skip ? [] : missingTools();

if (skip) {
  describe.skip('SPIN model check (docs/model): STOREFRONT_SKIP_MODEL_CHECK=1', () => {
    it('is skipped', () => undefined);
  });
} else if (missing.length > 0) {
  describe('SPIN model check (docs/model)', () => {
    it('needs spin and a C compiler', () => {
      throw new Error(`The SPIN model check (docs/model) needs ${missing.join(' and ')}, not found on PATH. ${INSTALL_HINT}`);
    });
  });
} else {
  describe('SPIN model of the order saga and the outbox/inbox protocol (docs/model)', modelCheck);
}

function modelCheck(): void {
  const results = new Map<string, Map<string, Verification>>();
  let workDir: string | undefined;

  const result = (label: string, property: string): Verification => {
    const found = results.get(label)?.get(property);
    if (!found) throw new Error(`no result for ${property} of "${label}" (see the error of beforeAll)`);
    return found;
  };

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'storefront-spin-'));
    // Two configurations at a time (two cores, and other work to do); the runs of one configuration
    // one after the other, as they share its directory. Today's model, the longest, starts first.
    const check = async (job: Job, index: number): Promise<void> => {
      const build = await buildPan(MODEL, join(workDir as string, String(index)), job.defines, { bfs: job.bfs });
      const verified = new Map<string, Verification>();
      for (const property of job.properties) {
        const liveness = isLiveness(property);
        verified.set(property, await verify(build, property, { liveness }));
        if (liveness && job.fair) verified.set(`${property} (fair)`, await verify(build, property, { liveness, fair: true }));
      }
      results.set(job.label, verified);
    };
    await inParallel(
      jobs.map((job, index) => () => check(job, index)),
      2,
    );
  }, 300_000);

  afterAll(async () => {
    if (workDir) await rm(workDir, { recursive: true, force: true });
    // The figures the README quotes: one line per verification run.
    const lines = jobs.flatMap((job) =>
      job.properties
        .flatMap((property) => [property, `${property} (fair)`])
        .flatMap((key) => {
          const run = results.get(job.label)?.get(key);
          if (!run) return [];
          const figures = `errors ${run.errors}  states ${String(run.statesStored).padStart(7)}  depth ${String(run.depth).padStart(4)}`;
          return [`  ${job.label.slice(0, 40).padEnd(40)} ${key.padEnd(24)} ${figures}  ${run.seconds.toFixed(2)} s`];
        }),
    );
    if (lines.length > 0) process.stdout.write(`SPIN verification runs:\n${lines.join('\n')}\n`);
  });

  describe('today, every property holds under loss, duplicates, reordering, crashes and early timers', () => {
    it.each(PROPERTIES)('%s', (property) => {
      const run = result('today', property);
      expect({ errors: run.errors, trail: run.trail?.story }).toEqual({ errors: 0, trail: undefined });
      // The search covered the model, not a corner of it.
      expect(run.statesStored).toBeGreaterThan(100_000);
    });

    it.each(VACUITY)('%s: the outcome is reachable', (property) => {
      expect(result('today', property).errors).toBe(1);
    });
  });

  describe.each([
    ['a defect the code had', HISTORICAL],
    ['a seeded defect', SEEDED],
  ] as const)('%s produces a counterexample', (_kind, examples) => {
    it.each(examples.map((example) => [example.title, example] as const))('%s', (_title, example) => {
      const run = result(example.title, example.property);
      expect(run.errors).toBe(1);
      const trail = run.trail;
      expect(trail).toBeDefined();
      for (const line of example.story) expect(trail?.story.join('\n')).toContain(line);
      expect(trail?.finalState).toMatchObject(example.finalState);
      if (example.property === 'settles') {
        expect(trail && settled(trail.finalState)).toBe(false);
        const fair = results.get(example.title)?.get('settles (fair)');
        if (fair) expect(fair.errors).toBe(1);
      }
    });
  });
}
