import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Runs `work` while sampling the event loop every 10 ms (`perf_hooks.monitorEventLoopDelay`) and
 * returns its result with the longest delay seen, in ms: how long any timer, socket or request of
 * the process would have waited.
 */
export async function withEventLoopDelay<T>(
  work: () => Promise<T>,
): Promise<{ result: T; maxDelayMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  try {
    const result = await work();
    // A block that ended just now is recorded only when the sampling timer next fires.
    await new Promise((resolve) => setTimeout(resolve, 25));
    return { result, maxDelayMs: histogram.max / 1e6 };
  } finally {
    histogram.disable();
  }
}

/**
 * A test's stall limit: 500 ms, scaled by how oversubscribed the machine is right now (with a load
 * average of 13 on 2 cores the OS alone leaves a ready thread waiting a few hundred ms). The stalls
 * this guards against were seconds long (1.2 s to 19 s). The 100 ms budget is a figure of
 * `npm run bench` (BENCH_ONLY=hostile), not of a test: a test run shares the machine with PGlite's
 * writes and garbage collection, and a 100 ms limit there failed on a quiet machine at 123 ms.
 */
export function stallLimitMs(baseMs = 500): number {
  const oversubscription = os.loadavg()[0]! / os.cpus().length;
  return Math.round(baseMs * Math.max(1, oversubscription));
}
