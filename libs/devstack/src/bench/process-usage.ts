import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/*
 * CPU time and memory of processes, read from /proc (Linux). CPU time per unit of work is what the
 * benchmark trusts on a shared machine: rates move with the neighbours' load, CPU seconds spent by
 * our own processes much less.
 */

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU milliseconds a process has used so far, or undefined once it is gone. */
function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / clockTicks();
  } catch {
    return undefined;
  }
}

/** Resident set size in bytes, or undefined once the process is gone. */
function rssBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Memory of `pid` with each page shared with other processes counted by its share (PSS), in bytes.
 * The five Node processes map the same node binary: RSS counts its pages in every one of them.
 */
function memory(pid: number): { rss: number; pss: number; shared: number } | undefined {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kB = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0) * 1024;
    return { rss: kB('Rss'), pss: kB('Pss'), shared: kB('Shared_Clean') + kB('Shared_Dirty') };
  } catch {
    return undefined;
  }
}

export interface MemoryReading {
  /** Sum of VmRSS of the processes, MB (the figure: shared pages counted in every process). */
  rssMB: number;
  /** Sum of their PSS, MB: what they take from the machine. */
  pssMB: number;
  rssMBByService: Record<string, number>;
  memoryMBByService: Record<string, { pssMB: number; sharedMB: number }>;
}

/** RSS and PSS of named processes, read at one moment. */
export function readMemory(processes: Readonly<Record<string, number>>): MemoryReading {
  const mb = (bytes: number | undefined) => Math.round((bytes ?? 0) / 2 ** 20);
  const rssMBByService: Record<string, number> = {};
  const memoryMBByService: Record<string, { pssMB: number; sharedMB: number }> = {};
  let rss = 0;
  for (const [name, pid] of Object.entries(processes)) {
    const bytes = rssBytes(pid) ?? 0;
    rss += bytes;
    rssMBByService[name] = mb(bytes);
    // The same moment, shared pages (the node binary above all) counted once across the processes.
    const usage = memory(pid);
    memoryMBByService[name] = { pssMB: mb(usage?.pss), sharedMB: mb(usage?.shared) };
  }
  const pssMB = Object.values(memoryMBByService).reduce((sum, usage) => sum + usage.pssMB, 0);
  return { rssMB: mb(rss), pssMB, rssMBByService, memoryMBByService };
}

/**
 * CPU used by groups of processes between start() and read(). Processes may join a group later
 * (a PostgreSQL backend opened by a pool mid-run): their CPU counts from when they were first seen,
 * with what they had used before that when they appeared after start(). A process that ends between
 * two samples loses what it used since the last sample; sample() often enough to keep that small.
 */
export class CpuAccount {
  private readonly baseline = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private readonly groupOf = new Map<number, string>();
  private started = false;

  /** Adds processes to a group; `newSinceStart` counts their whole CPU time (they were started during the run). */
  track(group: string, pids: Iterable<number>, newSinceStart = false): void {
    for (const pid of pids) {
      if (this.groupOf.has(pid)) continue;
      const now = cpuMs(pid);
      if (now === undefined) continue;
      this.groupOf.set(pid, group);
      this.baseline.set(pid, this.started && newSinceStart ? 0 : now);
      this.last.set(pid, now);
    }
  }

  start(): void {
    this.started = true;
    for (const pid of this.groupOf.keys()) {
      const now = cpuMs(pid);
      if (now !== undefined) {
        this.baseline.set(pid, now);
        this.last.set(pid, now);
      }
    }
  }

  sample(): void {
    for (const pid of this.groupOf.keys()) {
      const now = cpuMs(pid);
      if (now !== undefined) this.last.set(pid, now);
    }
  }

  /** CPU milliseconds per group since start(). */
  read(): Record<string, number> {
    this.sample();
    const totals: Record<string, number> = {};
    for (const [pid, group] of this.groupOf) {
      totals[group] = (totals[group] ?? 0) + ((this.last.get(pid) ?? 0) - (this.baseline.get(pid) ?? 0));
    }
    return totals;
  }
}
