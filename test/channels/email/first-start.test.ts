import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailAdapter } from '../../../src/channels/email/email-adapter.js';
import { createCustomer } from '../../../src/core/customers.js';
import { type DovecotServer, startDovecot } from '../../helpers/dovecot.js';
import { emailSettingsFor } from '../../helpers/email-settings.js';
import { type SmtpCapture, startSmtpCapture } from '../../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { rawMail } from './mail-fixtures.js';

/**
 * Issue 18 item 8: connecting a mailbox that already holds mail. Each test has its own Dovecot
 * account (a mailbox with no checkpoint yet) and its own app.
 */
const USERS = [
  { user: 'storico@example.test', password: 'secret' },
  { user: 'importa@example.test', password: 'secret' },
];
const HOUR = 3600_000;
let dovecot: DovecotServer;
let smtp: SmtpCapture;
let app: TestApp | undefined;

beforeAll(async () => {
  [dovecot, smtp] = await Promise.all([startDovecot({ users: USERS }), startSmtpCapture()]);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await Promise.all([dovecot?.stop(), smtp?.stop()]);
});

/** A logger whose JSON lines are kept for the test to read. */
function capturingLogger(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

function customerMail(from: string, id: string, subject: string) {
  return rawMail([
    `From: ${from}`,
    'To: assistenza@example.test',
    `Subject: ${subject}`,
    `Message-ID: <${id}@cliente.example>`,
    'Date: Mon, 30 Nov 2026 10:00:00 +0100',
  ]);
}

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function storedIds(): Promise<string[]> {
  const { rows } = await app!.database.sql.query<{ external_id: string }>(
    "select external_id from messages where direction = 'inbound' order by id",
  );
  return rows.map((row) => row.external_id);
}

async function start(
  user: (typeof USERS)[number],
  settings: { importSince?: Date | null; ackMaxAgeHours?: number },
) {
  const { logger, lines } = capturingLogger();
  let adapter!: EmailAdapter;
  await app?.close();
  app = await startTestApp({
    adapters: (_context, core) => {
      const base = emailSettingsFor(dovecot, { smtp, ...settings });
      adapter = new EmailAdapter(
        { ...base, imap: { ...base.imap, user: user.user, password: user.password } },
        logger,
        {
          idleDelayMs: 100,
          pollIntervalMs: 1000,
          batchSize: 2,
        },
      );
      // The customer exists before the mailbox is read.
      const startAdapter = adapter.start.bind(adapter);
      adapter.start = async (context) => {
        await createCustomer(
          core,
          {
            name: 'Anna',
            status: 'active',
            identities: [{ kind: 'email', address: 'anna@cliente.example' }],
          },
          'test',
        );
        return startAdapter(context);
      };
      return [adapter];
    },
    settings: { messageIdDomain: 'example.test' },
  });
  return { adapter, lines };
}

describe('first start on a mailbox with history', () => {
  it('by default leaves the mail already there alone, and handles what arrives after', async () => {
    const [user] = USERS as [(typeof USERS)[number]];
    for (let i = 1; i <= 3; i++) {
      await dovecot.appendMessage(
        user.user,
        user.password,
        customerMail('anna@cliente.example', `old${i}`, `Vecchia ${i}`),
      );
    }
    const before = smtp.messages.length;
    const { adapter, lines } = await start(user, { importSince: null });
    await waitFor(async () => (adapter.ingester.stats.syncs > 0 ? true : undefined), 'the first sync');
    await adapter.ingester.idle();
    await dovecot.appendMessage(
      user.user,
      user.password,
      customerMail('anna@cliente.example', 'new1', 'Nuova'),
    );
    await waitFor(async () => ((await storedIds()).length > 0 ? true : undefined), 'the new mail');
    await app!.settle();
    expect(await storedIds()).toEqual(['<new1@cliente.example>']);
    expect(smtp.messages.slice(before).map((m) => m.parsed.inReplyTo)).toEqual(['<new1@cliente.example>']);
    // The old mail is untouched: not flagged as processed.
    const listed = await dovecot.listMessages(user.user, user.password);
    expect(listed.filter((m) => m.flags.includes('\\Seen')).map((m) => m.messageId)).toEqual([
      '<new1@cliente.example>',
    ]);
    const announcement = lines.find((line) => String(line.msg).startsWith('First start on this mailbox'));
    expect(announcement).toMatchObject({ leftAlone: 3, toImport: 0, ackMaxAgeHours: 24 });
  });

  it('with IMAP_IMPORT_SINCE imports from that date, answers only recent mail, and logs its progress', async () => {
    const [, user] = USERS as [unknown, (typeof USERS)[number]];
    const now = Date.now();
    const mails: Array<[string, number]> = [
      ['ancient', 30 * 24 * HOUR],
      ['old1', 72 * HOUR],
      ['old2', 48 * HOUR],
      ['old3', 25 * HOUR],
      ['recent', 1 * HOUR],
    ];
    for (const [id, age] of mails) {
      await dovecot.appendMessage(
        user.user,
        user.password,
        customerMail('anna@cliente.example', id, `Richiesta ${id}`),
        'INBOX',
        undefined,
        new Date(now - age),
      );
    }
    const before = smtp.messages.length;
    const { adapter, lines } = await start(user, {
      importSince: new Date(now - 10 * 24 * HOUR),
      ackMaxAgeHours: 24,
    });
    await waitFor(async () => ((await storedIds()).length >= 4 ? true : undefined), 'the imported mail');
    await adapter.ingester.idle();
    await app!.settle();
    expect(await storedIds()).toEqual([
      '<old1@cliente.example>',
      '<old2@cliente.example>',
      '<old3@cliente.example>',
      '<recent@cliente.example>',
    ]);
    // Old mail opened its tickets silently; only the recent one was acknowledged.
    const { rows } = await app!.database.sql.query<{
      external_id: string;
      disposition: string;
      ticket_id: string;
    }>(
      "select external_id, disposition, ticket_id::text from messages where direction = 'inbound' order by id",
    );
    expect(rows.map((row) => row.disposition)).toEqual(['ticket', 'ticket', 'ticket', 'ticket']);
    expect(new Set(rows.map((row) => row.ticket_id)).size).toBe(4);
    expect(smtp.messages.slice(before).map((m) => m.parsed.inReplyTo)).toEqual(['<recent@cliente.example>']);
    const announcement = lines.find((line) => String(line.msg).startsWith('First start on this mailbox'));
    expect(announcement).toMatchObject({ toImport: 4, leftAlone: 1, ackMaxAgeHours: 24 });
    expect(lines.some((line) => String(line.msg).startsWith('IMAP import finished'))).toBe(true);
  });
});
