import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailAdapter } from '../../../src/channels/email/email-adapter.js';
import { createLogger } from '../../../src/logger.js';
import { DEFAULT_DOVECOT_USER, type DovecotServer, startDovecot } from '../../helpers/dovecot.js';
import { emailSettingsFor } from '../../helpers/email-settings.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { rawMail } from './mail-fixtures.js';

let dovecot: DovecotServer;
let app: TestApp | undefined;
const { user, password } = DEFAULT_DOVECOT_USER;
const MAILS = 9;

beforeAll(async () => {
  dovecot = await startDovecot();
  // The backlog is there before the app starts, so it is read in several batches of two, each
  // fetched while the one before is being stored.
  for (let i = 1; i <= MAILS; i++) {
    await dovecot.appendMessage(
      user,
      password,
      rawMail([
        `From: sender-${i}@example.org`,
        `To: ${user}`,
        `Subject: Backlog ${i}`,
        `Message-ID: <backlog-${i}@example.org>`,
      ]),
    );
  }
}, 60_000);

afterAll(async () => {
  await app?.close();
  await dovecot?.stop();
});

describe('IMAP backlog in batches', () => {
  it('stores every mail once, in mailbox order, flags each one and checkpoints the last', async () => {
    app = await startTestApp({
      workers: false,
      adapters: () => [
        new EmailAdapter(emailSettingsFor(dovecot), createLogger('silent'), {
          batchSize: 2,
          idleDelayMs: 100,
        }),
      ],
    });
    const deadline = Date.now() + 20_000;
    let stored: string[] = [];
    while (Date.now() < deadline) {
      const { rows } = await app.database.sql.query<{ external_id: string }>(
        "select external_id from messages where direction = 'inbound' order by id",
      );
      stored = rows.map((row) => row.external_id);
      if (stored.length >= MAILS) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(stored).toEqual(Array.from({ length: MAILS }, (_, i) => `<backlog-${i + 1}@example.org>`));
    let listed = await dovecot.listMessages(user, password);
    while (Date.now() < deadline && !listed.every((m) => m.flags.includes('\\Seen'))) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      listed = await dovecot.listMessages(user, password);
    }
    expect(listed.map((m) => m.flags.includes('\\Seen'))).toEqual(Array(MAILS).fill(true));
    const { rows } = await app.database.sql.query<{ value: { lastUid: number } }>(
      "select value from channel_checkpoints where key like 'email%'",
    );
    expect(rows.map((row) => row.value.lastUid)).toEqual([MAILS]);
  });
});
