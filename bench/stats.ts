import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Median of the numbers (the middle one, or the mean of the two middle ones). */
export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The p-th percentile (0–100) by nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const MB = 1024 * 1024;

/** Samples this process's resident memory every `intervalMs` and keeps the peak. */
export class RssSampler {
  peak = process.memoryUsage.rss();
  /** BENCH_MEMORY_TRACE=1: every sample's breakdown (MB), printed by {@link printTrace}. */
  readonly trace: Array<{ ms: number; rss: number; heap: number; external: number; buffers: number }> = [];
  private readonly timer: NodeJS.Timeout;
  private readonly started = Date.now();

  constructor(intervalMs = 50) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): number {
    if (process.env.BENCH_MEMORY_TRACE) {
      const usage = process.memoryUsage();
      this.trace.push({
        ms: Date.now() - this.started,
        rss: usage.rss / MB,
        heap: usage.heapUsed / MB,
        external: usage.external / MB,
        buffers: usage.arrayBuffers / MB,
      });
      if (usage.rss > this.peak) this.peak = usage.rss;
      return usage.rss;
    }
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
    return rss;
  }

  /**
   * Prints the trace to stderr: main-thread heap, external memory (Buffers, PGlite's WASM memory)
   * and the rest of the RSS (the parse worker's heap, code, the allocator's free pages), in MB.
   */
  printTrace(label: string): void {
    if (this.trace.length === 0) return;
    // One sample per 250 ms, and the peak.
    const peak = this.trace.reduce((best, t) => (t.rss > best.rss ? t : best));
    let next = 0;
    const shown = this.trace.filter((t) => {
      if (t !== peak && t.ms < next) return false;
      if (t !== peak) next = t.ms + 250;
      return true;
    });
    const lines = shown.map(
      (t) =>
        `${String(t.ms).padStart(6)} ms  rss ${t.rss.toFixed(0).padStart(4)}  heap ${t.heap.toFixed(0).padStart(4)}  ` +
        `external ${t.external.toFixed(0).padStart(4)} (buffers ${t.buffers.toFixed(0).padStart(4)})  ` +
        `rest ${(t.rss - t.heap - t.external).toFixed(0).padStart(4)}${t === peak ? '  <- peak' : ''}`,
    );
    console.error(`memory trace, ${label}:\n${lines.join('\n')}`);
  }

  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }
}

/** Resident memory of another process, from /proc (Linux), in bytes. */
export function vmRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  node: string;
  platform: string;
  store: 'embedded' | 'server';
  postgres?: string;
}

export function machineInfo(store: MachineInfo['store']): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    store,
  };
}

/** Monotonic milliseconds. */
export const now = (): number => performance.now();

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every `intervalMs` until it returns true; throws after `timeoutMs`. */
export async function waitUntil(
  probe: () => Promise<boolean>,
  what: string,
  timeoutMs: number,
  intervalMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Runs `count` tasks with at most `concurrency` in flight; returns elapsed ms. */
export async function runPool(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const start = now();
  const lane = async () => {
    while (next < count) {
      const index = next++;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return now() - start;
}

/**
 * Closed-loop load for a fixed time: `concurrency` lanes each start a new task as soon as their
 * previous one ends, until `durationMs` has passed. Returns tasks completed per second.
 */
export async function ratePerSecond(
  durationMs: number,
  concurrency: number,
  task: () => Promise<unknown>,
): Promise<number> {
  let done = 0;
  const start = now();
  const end = start + durationMs;
  const lane = async () => {
    while (now() < end) {
      await task();
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return (done / (now() - start)) * 1000;
}

/**
 * Open-loop load: task `i` is due at `start + i * intervalMs`, whatever earlier tasks are doing.
 * Returns each task's latency from its due time to its completion, in ms.
 */
export async function runOpenLoop(
  count: number,
  intervalMs: number,
  task: (index: number) => Promise<unknown>,
): Promise<number[]> {
  const latencies: number[] = new Array(count);
  const inFlight: Promise<void>[] = [];
  const start = now() + 5;
  let index = 0;
  while (index < count) {
    const t = now();
    // Start every arrival that is due by now, each timed from its own due time.
    while (index < count && start + index * intervalMs <= t) {
      const due = start + index * intervalMs;
      const i = index++;
      inFlight.push(
        task(i).then(() => {
          latencies[i] = now() - due;
        }),
      );
    }
    if (index < count) await sleep(Math.max(0, start + index * intervalMs - now()));
  }
  await Promise.all(inFlight);
  return latencies;
}
