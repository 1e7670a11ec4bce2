import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INSTALL_HINT, type Verification, buildPan, inParallel, missingTools, verify } from './spin';

// Model-checks docs/model/order-saga.pml with SPIN: the fixed protocol satisfies every property,
// today's code violates the ones its known defects break, and each seeded defect is caught.
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

/** The fixes of issue 11 as the model has them; today's code has none of them yet. */
const FIX = {
  captureReply: '-DFIX_CAPTURE_REPLY',
  lateCommit: '-DFIX_LATE_COMMIT',
  voidByReference: '-DFIX_VOID_BY_REFERENCE',
} as const;
const ALL_FIXES = ['-DFIXED'];
/** The model of the code as it is; when a fix lands, its option moves here (README, "When the code fixes land"). */
const TODAY: string[] = [];

interface Counterexample {
  readonly title: string;
  readonly defines: readonly string[];
  readonly property: Property;
  /** Lines the replayed trail must print (each anywhere in it): only ones every counterexample has. */
  readonly story: readonly string[];
  /** Variables at the end of the trail. */
  readonly finalState: Readonly<Record<string, string>>;
}

/** Defects of today's code, each alone (the other fixes applied): regression cases for issue 11. */
const TODAYS_DEFECTS: readonly Counterexample[] = [
  {
    title: 'payment does not answer a repeated CapturePayment: after a lost payment.captured the order retries forever',
    defines: [FIX.lateCommit, FIX.voidByReference, ...faults({ loss: 1 })],
    property: 'settles',
    story: ['lost PaymentCaptured', '<<<<<START OF CYCLE>>>>>', 'payment ignores the capture: already CAPTURED, no reply'],
    finalState: { order: 'stock_committed', payment: 'CAPTURED', provider: 'prov_captured' },
  },
  {
    title: 'a commit that arrives after the reservation expired is ignored: the order is confirmed and paid, its unit back on sale',
    defines: [FIX.captureReply, FIX.voidByReference, ...faults({})],
    property: 'sold_iff_confirmed',
    story: ['reservation expires', 'inventory ignores the commit: the reservation is not RESERVED', 'order <- PaymentCaptured'],
    finalState: { order: 'confirmed', provider: 'prov_captured', reservation: 'RELEASED', sold: '0', available: '1' },
  },
  {
    title: 'a void that finds no payment row never reaches the provider: a crash after authorizing leaves the hold open',
    defines: [FIX.captureReply, FIX.lateCommit, ...faults({ crash: 1 })],
    property: 'cancelled_clean',
    story: ['payment crashed after the provider call', 'payment <- VoidPayment', 'order <- PaymentFailed'],
    finalState: { order: 'cancelled', payment: 'VOIDED_TOMBSTONE', provider: 'prov_held' },
  },
];

/** Defects planted in the fixed model: each must be caught by the property it breaks. */
const SEEDED: readonly Counterexample[] = [
  {
    title: 'BUG_NO_INBOX: a consumer applies a redelivered message again',
    defines: [...ALL_FIXES, '-DBUG_NO_INBOX', ...faults({ dup: 1 })],
    property: 'no_poison',
    story: ['refused: dead-lettered'],
    finalState: { poisoned: '1' },
  },
  {
    title: 'BUG_CONFIRMED_REFUSES_CAPTURE_REPLY: payment answers a repeated capture, the confirmed order refuses the answer',
    defines: [...ALL_FIXES, '-DBUG_CONFIRMED_REFUSES_CAPTURE_REPLY', ...faults({ early: 1 })],
    property: 'no_poison',
    story: ['retry fired early', 'refused: dead-lettered'],
    finalState: { order: 'confirmed', poisoned: '1' },
  },
  {
    title: 'BUG_PROVIDER_KEY_PER_CALL: a capture retried after a crash charges again',
    defines: [...ALL_FIXES, '-DBUG_PROVIDER_KEY_PER_CALL', ...faults({ crash: 1 })],
    property: 'captured_once',
    story: ['payment crashed after the provider call'],
    finalState: { charges: '2' },
  },
  {
    title: 'BUG_RELEASE_UNGUARDED: a release gives back the units of an expired reservation again',
    defines: [...ALL_FIXES, '-DBUG_RELEASE_UNGUARDED', ...faults({})],
    property: 'stock_conserved',
    story: ['inventory <- ReleaseReservation'],
    finalState: { reserved: '-1' },
  },
  {
    title: 'BUG_CANCEL_WITHOUT_VOID: a cancelled order leaves its authorization open',
    defines: [...ALL_FIXES, '-DBUG_CANCEL_WITHOUT_VOID', ...faults({ loss: 1 })],
    property: 'cancelled_clean',
    story: ['lost PaymentAuthorized'],
    finalState: { order: 'cancelled', provider: 'prov_held' },
  },
  {
    title: 'BUG_VOID_NOT_RETRIED: the void after a failed commit is sent once and lost',
    defines: [...ALL_FIXES, '-DBUG_VOID_NOT_RETRIED', ...faults({ loss: 1 })],
    property: 'cancelled_clean',
    story: ['order <- ReservationCommitFailed', 'lost VoidPayment'],
    finalState: { order: 'cancelled', provider: 'prov_held' },
  },
  {
    title: 'BUG_TIMEOUT_GIVES_UP: past the pivot the saga stops retrying, and a lost message strands the order',
    defines: [...ALL_FIXES, '-DBUG_TIMEOUT_GIVES_UP', ...faults({ loss: 1 })],
    property: 'settles',
    story: ['lost'],
    finalState: {},
  },
  {
    title: 'BUG_CONFIRM_ON_COMMIT: the order is confirmed before the money is taken',
    defines: [...ALL_FIXES, '-DBUG_CONFIRM_ON_COMMIT', ...faults({ loss: 1 })],
    property: 'captured_iff_confirmed',
    story: ['lost CapturePayment'],
    finalState: { order: 'confirmed', provider: 'prov_held' },
  },
];

/** What today's code violates under the default budgets; the rest holds. */
const TODAY_VIOLATES: readonly Property[] = ['settles', 'sold_iff_confirmed', 'cancelled_clean'];

const isLiveness = (property: string): boolean => property === 'settles';

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
  { label: 'fixed', defines: ALL_FIXES, properties: [...PROPERTIES, ...VACUITY] },
  { label: 'today', defines: TODAY, properties: PROPERTIES },
  ...[...TODAYS_DEFECTS, ...SEEDED].map((example) => ({
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
    // one after the other, as they share its directory. The fixed model, the longest, starts first.
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

  describe('with the fixes of issue 11, every property holds under loss, duplicates, reordering, crashes and early timers', () => {
    it.each(PROPERTIES)('%s', (property) => {
      const run = result('fixed', property);
      expect({ errors: run.errors, trail: run.trail?.story }).toEqual({ errors: 0, trail: undefined });
      // The search covered the model, not a corner of it.
      expect(run.statesStored).toBeGreaterThan(50_000);
    });

    it.each(VACUITY)('%s: the outcome is reachable', (property) => {
      expect(result('fixed', property).errors).toBe(1);
    });
  });

  it('today, the code violates exactly the properties its known defects break', () => {
    const violated = PROPERTIES.filter((property) => result('today', property).errors > 0);
    expect(violated).toEqual(TODAY_VIOLATES);
  });

  describe.each([
    ['a defect of today’s code', TODAYS_DEFECTS],
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
        expect(['confirmed', 'cancelled', 'rejected']).not.toContain(trail?.finalState.order);
        const fair = results.get(example.title)?.get('settles (fair)');
        if (fair) expect(fair.errors).toBe(1);
      }
    });
  });
}
