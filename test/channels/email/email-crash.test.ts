import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailAdapter } from '../../../src/channels/email/email-adapter.js';
import { createLogger } from '../../../src/logger.js';
import { DEFAULT_DOVECOT_USER, type DovecotServer, startDovecot } from '../../helpers/dovecot.js';
import { emailSettingsFor } from '../../helpers/email-settings.js';
import { startTestApp } from '../../helpers/test-app.js';
import { createPersistentTestStore, type TestStore } from '../../helpers/test-database.js';
import { rawMail } from './mail-fixtures.js';

const BACKLOG = 300;
let dovecot: DovecotServer;
let store: TestStore;

beforeAll(async () => {
  dovecot = await startDovecot();
  const mails = Array.from({ length: BACKLOG }, (_, i) =>
    rawMail(
      [
        `From: Mittente ${i} <sender${i}@example.org>`,
        `To: ${DEFAULT_DOVECOT_USER.user}`,
        `Subject: Richiesta ${i}`,
        `Message-ID: <backlog-${i}@example.org>`,
        'Content-Type: text/plain; charset=utf-8',
      ],
      `Messaggio numero ${i}`,
    ),
  );
  await dovecot.appendMessages(DEFAULT_DOVECOT_USER.user, DEFAULT_DOVECOT_USER.password, mails);
  store = await createPersistentTestStore('helpdesk-email-crash-');
}, 60_000);

afterAll(async () => {
  await dovecot?.stop();
  await store?.drop();
});

function ingestUntilKilled(killAfter: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/email-crash-child.ts'], {
      env: {
        ...process.env,
        HELPDESK_TEST_STORE: JSON.stringify(store),
        HELPDESK_TEST_IMAP: JSON.stringify({
          host: dovecot.host,
          port: dovecot.port,
          user: DEFAULT_DOVECOT_USER.user,
          password: DEFAULT_DOVECOT_USER.password,
        }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let seen = 0;
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => {
      for (const match of chunk.toString().matchAll(/INGESTED (\d+)/g))
        seen = Math.max(seen, Number(match[1]));
      if (seen >= killAfter) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.on('exit', (_code, signal) =>
      signal === 'SIGKILL'
        ? resolve(seen)
        : reject(new Error(`child ended on its own: ${errors.slice(-2000)}`)),
    );
  });
}

describe('email ingestion across a crash', () => {
  it('stores every mail of a backlog exactly once when the ingester is killed half-way and restarted', async () => {
    const before = await ingestUntilKilled(60);
    expect(before).toBeGreaterThanOrEqual(60);
    expect(before).toBeLessThan(BACKLOG);

    let adapter: EmailAdapter | undefined;
    const app = await startTestApp({
      store,
      workers: false,
      adapters: () => {
        adapter = new EmailAdapter(emailSettingsFor(dovecot), createLogger('silent'), {
          batchSize: 20,
          idleDelayMs: 100,
        });
        return [adapter];
      },
    });
    try {
      const deadline = Date.now() + 60_000;
      let rows: Array<{ total: number; distinct: number }> = [];
      do {
        await new Promise((resolve) => setTimeout(resolve, 100));
        ({ rows } = await app.database.sql.query<{ total: number; distinct: number }>(
          "select count(*)::int as total, count(distinct external_id)::int as distinct from messages where direction = 'inbound'",
        ));
      } while (rows[0]!.total < BACKLOG && Date.now() < deadline);
      await adapter!.ingester.idle();
      ({ rows } = await app.database.sql.query<{ total: number; distinct: number }>(
        "select count(*)::int as total, count(distinct external_id)::int as distinct from messages where direction = 'inbound'",
      ));
      expect(rows[0]).toEqual({ total: BACKLOG, distinct: BACKLOG });
      const listed = await dovecot.listMessages(DEFAULT_DOVECOT_USER.user, DEFAULT_DOVECOT_USER.password);
      expect(listed.filter((m) => m.flags.includes('\\Seen'))).toHaveLength(BACKLOG);
    } finally {
      await app.close();
    }
  }, 120_000);
});
