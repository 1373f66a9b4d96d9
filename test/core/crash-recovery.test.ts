import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp } from '../helpers/test-app.js';
import { TestChannel } from '../helpers/test-channel.js';
import { createPersistentTestStore, type TestStore } from '../helpers/test-database.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

const persistentStore = () => createPersistentTestStore('helpdesk-crash-');

/** Runs the child until it has committed, then kills it with SIGKILL (no clean shutdown). */
function runChildAndKill(store: TestStore, address: string, crash = 'before-send'): Promise<string> {
  const killAt = crash === 'mid-send' ? 'SENDING' : 'COMMITTED';
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/crash-child.ts'], {
      env: {
        ...process.env,
        HELPDESK_TEST_STORE: JSON.stringify(store),
        HELPDESK_TEST_ADDRESS: address,
        HELPDESK_TEST_CRASH: crash,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(killAt)) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL' && output.includes('COMMITTED')) resolve(output);
      else reject(new Error(`child ended before committing: ${errors.slice(-2000)}`));
    });
  });
}

describe('crash between commit and send', () => {
  it('sends the acknowledgement after a restart, exactly once', async () => {
    const store = await persistentStore();
    cleanups.push(() => store.drop());
    const output = await runChildAndKill(store, 'crash@example.test');
    expect(output).toContain('"status":"new_ticket"');

    const channel = new TestChannel();
    const app = await startTestApp({ store, adapters: () => [channel] });
    try {
      await app.settle(15_000);
      const sent = channel.sentTo('crash@example.test');
      expect(sent).toHaveLength(1);
      expect(sent[0]!.text).toContain('abbiamo ricevuto la sua richiesta');
      const { rows } = await app.database.sql.query<{ n: number }>('select count(*)::int as n from tickets');
      expect(rows[0]!.n).toBe(1);
    } finally {
      await app.close();
    }
  }, 60_000);
});

// On a server several instances may share the queue, so a job cut off mid-send waits for pg-boss's
// expiry there; with the embedded store the data-dir lock proves the old process is gone, and the
// job is handed back at once.
describe.runIf(!process.env.DATABASE_URL)('crash while sending (embedded store)', () => {
  it('sends the cut-off message after a restart without waiting for the job to expire', async () => {
    const store = await persistentStore();
    cleanups.push(() => store.drop());
    const output = await runChildAndKill(store, 'midsend@example.test', 'mid-send');
    expect(output).toContain('SENDING');

    const channel = new TestChannel();
    const app = await startTestApp({ store, adapters: () => [channel] });
    try {
      await app.settle(15_000);
      expect(channel.sentTo('midsend@example.test')).toHaveLength(1);
    } finally {
      await app.close();
    }
  }, 60_000);
});

// On either store: once the dead worker's lease has run out, a restarted app's sweeper takes the
// delivery up again, as "maybe sent", and it completes once.
describe('crash while sending, restart after the lease', () => {
  it('completes the delivery once, on its second attempt', async () => {
    const store = await persistentStore();
    cleanups.push(() => store.drop());
    const output = await runChildAndKill(store, 'lease@example.test', 'mid-send');
    expect(output).toContain('SENDING');

    const channel = new TestChannel();
    const app = await startTestApp({
      store,
      adapters: () => [channel],
      // The restart happens after the lease (DELIVERY_LEASE_SECONDS, 600 s) ran out.
      now: () => new Date(Date.now() + 601_000),
    });
    try {
      await app.sweepDeliveries();
      await app.settle(15_000);
      expect(channel.sentTo('lease@example.test')).toHaveLength(1);
      const { rows } = await app.database.sql.query<{ status: string; attempts: number }>(
        `select status, attempts from deliveries where recipient_address = 'lease@example.test'`,
      );
      expect(rows).toEqual([{ status: 'sent', attempts: 2 }]);
      expect(app.channelHealth.expiredLeases).toBe(1);
    } finally {
      await app.close();
    }
  }, 60_000);
});
