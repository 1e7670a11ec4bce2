import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const MAX_BUFFER = 64 * 1024 * 1024;

/** How to install what the model check needs, for the message when something is missing. */
export const INSTALL_HINT =
  'Install with `sudo apt-get install spin gcc` (Debian, Ubuntu) or from https://spinroot.com (the `spin` ' +
  'command and a C compiler). To skip the model check, set STOREFRONT_SKIP_MODEL_CHECK=1 (CI never does).';

/** The C compiler pan is built with: $CC, else cc. */
const compiler = process.env.CC ?? 'cc';

/** The tools from `tools` that cannot be run, by name. */
export function missingTools(tools: readonly string[] = ['spin', compiler]): string[] {
  return tools.filter((tool) => {
    const probe = spawnSync(tool, [tool === 'spin' ? '-V' : '--version'], { stdio: 'ignore' });
    return probe.error !== undefined || probe.status !== 0;
  });
}

export interface Build {
  readonly dir: string;
  readonly defines: readonly string[];
}

/**
 * Generates and compiles pan for one configuration of the model in a directory of its own.
 * `bfs` builds a breadth-first verifier (safety only; its counterexamples are the shortest).
 * -O0: pan.c compiles in under a second instead of many, and the runs here are short anyway.
 */
export async function buildPan(model: string, dir: string, defines: readonly string[], options: { bfs?: boolean } = {}): Promise<Build> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await copyFile(model, join(dir, 'model.pml'));
  await run('spin', ['-a', ...defines, 'model.pml'], { cwd: dir, maxBuffer: MAX_BUFFER });
  const flags = options.bfs ? ['-DBFS'] : ['-DNFAIR=4'];
  await run(compiler, ['-O0', '-w', ...flags, '-o', 'pan', 'pan.c'], { cwd: dir, maxBuffer: MAX_BUFFER });
  return { dir, defines };
}

export interface Verification {
  readonly property: string;
  readonly errors: number;
  readonly statesStored: number;
  readonly depth: number;
  readonly seconds: number;
  /** The counterexample replayed: the model's printf lines, then the variables at its end. */
  readonly trail: Trail | undefined;
  readonly output: string;
}

interface Trail {
  readonly story: readonly string[];
  readonly finalState: Readonly<Record<string, string>>;
}

const number = (output: string, pattern: RegExp): number => {
  const match = pattern.exec(output);
  if (!match?.[1]) throw new Error(`pan output has no ${pattern.source}:\n${output}`);
  return Number(match[1]);
};

/**
 * Checks one LTL property of the model (pan -N). `liveness` searches for acceptance cycles (-a),
 * `fair` adds weak fairness (-f). A counterexample is replayed with spin -t.
 */
export async function verify(build: Build, property: string, options: { liveness?: boolean; fair?: boolean } = {}): Promise<Verification> {
  const trailFile = join(build.dir, 'model.pml.trail');
  await rm(trailFile, { force: true });
  const args = [...(options.liveness ? ['-a'] : []), ...(options.fair ? ['-f'] : []), '-w20', '-N', property];
  const { stdout } = await run('./pan', args, { cwd: build.dir, maxBuffer: MAX_BUFFER });
  const trail = existsSync(trailFile) ? await replay(build) : undefined;
  return {
    property,
    errors: number(stdout, /errors: (\d+)/),
    statesStored: number(stdout, /([\d.e+]+) states, stored/),
    depth: number(stdout, /depth reached (\d+)/),
    seconds: number(stdout, /elapsed time ([\d.e+-]+) seconds/),
    trail,
    output: stdout,
  };
}

/** spin -t: follows the trail and prints what the model's printf statements say on the way. */
async function replay(build: Build): Promise<Trail> {
  const { stdout } = await run('spin', ['-t', ...build.defines, 'model.pml'], { cwd: build.dir, maxBuffer: MAX_BUFFER });
  const story: string[] = [];
  const finalState: Record<string, string> = {};
  let ended = false;
  for (const raw of stdout.split('\n')) {
    const line = raw.replace(/\s+/g, ' ').trim();
    if (line.startsWith('spin: trail ends')) ended = true;
    const variable = /^(\w+(?:\[\d+\]\.\w+)?) = (\S+)$/.exec(line);
    if (ended && variable?.[1] && variable[2]) finalState[variable[1]] = variable[2];
    if (ended || line === '' || /^(ltl |spin: |Never claim|#processes|\d+:\s+proc|[\w[\].]+ = )/.test(line)) continue;
    story.push(line);
  }
  return { story, finalState };
}

/**
 * Runs the jobs, at most `limit` at a time, and returns their results in order. After a failure it
 * starts no more jobs, lets the running ones finish (so nothing still writes when the caller cleans
 * up) and then throws the first error.
 */
export async function inParallel<T>(jobs: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(jobs.length);
  const failures: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length && failures.length === 0) {
      const index = next;
      next += 1;
      try {
        results[index] = await (jobs[index] as () => Promise<T>)();
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  if (failures.length > 0) throw failures[0];
  return results;
}
