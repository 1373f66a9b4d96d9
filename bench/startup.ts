import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../test/helpers/dovecot-process.js';
import { createTestStore } from '../test/helpers/test-database.js';
import { buildMain, ROOT, startArguments, startEnvironment } from './start-command.js';
import { MB, median, now, sleep, vmRss } from './stats.js';

/** Children still running, killed by {@link killAllMains} if the bench is interrupted. */
const live = new Set<ChildProcess>();

export function killAllMains(): void {
  for (const child of live) child.kill('SIGKILL');
}

interface Started {
  child: ChildProcess;
  seconds: number;
  output: () => string;
}

/** `dist/main.js` as `npm start` runs it (built by {@link buildMain}); resolves when `/healthz` answers 200. */
async function startMain(env: Record<string, string>, timeoutMs = 60_000): Promise<Started> {
  const port = await freePort();
  const started = now();
  const child = spawn(process.execPath, startArguments(), {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...startEnvironment(),
      LOG_LEVEL: 'warn',
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.on('exit', () => live.delete(child));
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`main.ts exited with ${child.exitCode}:\n${output}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`)
      .then((response) => response.status === 200)
      .catch(() => false);
    if (ok) return { child, seconds: (now() - started) / 1000, output: () => output };
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`no healthy /healthz after ${timeoutMs} ms:\n${output}`);
    }
    await sleep(10);
  }
}

/** SIGTERM, then SIGKILL after 25 s; resolves when the process is gone. */
async function stopMain(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
  await exited;
  clearTimeout(timer);
}

export interface StartupResult {
  freshSeconds: number;
  existingSeconds: number;
  /** Resident memory 3 s after a healthy start with every channel on (existing data). */
  idleRssMb: number;
  runs: Array<{ fresh: number; existing: number; idleRssMb: number }>;
}

/**
 * Per run: a fresh data dir (or a fresh server database) is started once (fresh), stopped, started
 * again (existing) and stopped; then started a third time with `channelEnv` (every channel on,
 * pointing at local fakes) and its VmRSS read 3 s after `/healthz` turned healthy.
 */
export async function benchStartup(options: {
  runs: number;
  channelEnv: Record<string, string>;
}): Promise<StartupResult> {
  buildMain();
  const runs: StartupResult['runs'] = [];
  for (let run = 0; run < options.runs; run++) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'helpdesk-bench-start-'));
    const store = process.env.DATABASE_URL ? await createTestStore() : undefined;
    const env: Record<string, string> = { DATA_DIR: dataDir };
    if (store?.databaseUrl) env.DATABASE_URL = store.databaseUrl;
    try {
      const fresh = await startMain(env);
      await stopMain(fresh.child);
      const existing = await startMain(env);
      await stopMain(existing.child);
      const idle = await startMain({ ...env, ...options.channelEnv });
      try {
        await sleep(3000);
        if (idle.child.exitCode !== null) throw new Error(`main.ts exited:\n${idle.output()}`);
        runs.push({
          fresh: fresh.seconds,
          existing: existing.seconds,
          idleRssMb: vmRss(idle.child.pid!) / MB,
        });
      } finally {
        await stopMain(idle.child);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      await store?.drop();
    }
  }
  return {
    freshSeconds: median(runs.map((r) => r.fresh)),
    existingSeconds: median(runs.map((r) => r.existing)),
    idleRssMb: median(runs.map((r) => r.idleRssMb)),
    runs,
  };
}
