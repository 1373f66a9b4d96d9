import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailAdapter } from '../../../src/channels/email/email-adapter.js';
import { createLogger } from '../../../src/logger.js';
import { DEFAULT_DOVECOT_USER, type DovecotServer, startDovecot } from '../../helpers/dovecot.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { rawMail } from './mail-fixtures.js';

let dovecot: DovecotServer;
let app: TestApp;
const { user, password } = DEFAULT_DOVECOT_USER;

beforeAll(async () => {
  dovecot = await startDovecot();
  app = await startTestApp({
    workers: false,
    adapters: () => [
      new EmailAdapter(
        {
          imap: { host: dovecot.host, port: dovecot.port, secure: false, user, password, mailbox: 'INBOX' },
          processedMailbox: 'Elaborati',
          smtp: { host: '127.0.0.1', port: 9, secure: false },
          from: user,
          fromName: 'Test',
          maxAttachmentBytes: 1024 * 1024,
          maxMailBytes: 1024 * 1024,
          maxRawInputBytes: 1024 * 1024,
          parseTimeoutMs: 20_000,
        },
        createLogger('silent'),
        { idleDelayMs: 100 },
      ),
    ],
  });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await dovecot?.stop();
});

describe('IMAP_PROCESSED_MAILBOX', () => {
  it('moves processed mail to the folder instead of flagging it', async () => {
    await dovecot.appendMessage(
      user,
      password,
      rawMail([
        `From: someone@example.org`,
        `To: ${user}`,
        'Subject: Ciao',
        'Message-ID: <moved-1@example.org>',
      ]),
    );
    const deadline = Date.now() + 15_000;
    let moved: Array<{ messageId?: string }> = [];
    while (Date.now() < deadline) {
      moved = await dovecot.listMessages(user, password, 'Elaborati').catch(() => []);
      if (moved.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(moved.map((m) => m.messageId)).toEqual(['<moved-1@example.org>']);
    expect(await dovecot.listMessages(user, password, 'INBOX')).toEqual([]);
    const { rows } = await app.database.sql.query<{ n: number }>(
      "select count(*)::int as n from messages where external_id = '<moved-1@example.org>'",
    );
    expect(rows[0]!.n).toBe(1);
  });
});
