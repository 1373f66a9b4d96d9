import { randomUUID } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { afterEach, describe, expect, it } from 'vitest';
import { EmailAdapter } from '../../../src/channels/email/email-adapter.js';
import { createCustomer } from '../../../src/core/customers.js';
import { createLogger } from '../../../src/logger.js';
import { DEFAULT_DOVECOT_USER, type DovecotServer, startDovecot } from '../../helpers/dovecot.js';
import { emailSettingsFor } from '../../helpers/email-settings.js';
import { type SmtpCapture, startSmtpCapture } from '../../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

/**
 * Terms T8: a reply carrying the remote tool's credentials is kept nowhere, "not in mail": once
 * stored (as a placeholder), the mail is expunged from the support mailbox, from every folder,
 * with or without IMAP_PROCESSED_MAILBOX. An ordinary reply is flagged or moved as before.
 */
let dovecot: DovecotServer;
let smtp: SmtpCapture;
let app: TestApp;

async function start(processedMailbox?: string) {
  [dovecot, smtp] = await Promise.all([startDovecot(), startSmtpCapture()]);
  const settings = { ...emailSettingsFor(dovecot, { smtp }), processedMailbox };
  app = await startTestApp({
    adapters: () => [
      new EmailAdapter(settings, createLogger('silent'), { idleDelayMs: 100, pollIntervalMs: 500 }),
    ],
    settings: { messageIdDomain: 'example.test' },
  });
}

afterEach(async () => {
  await app?.close();
  await Promise.all([dovecot?.stop(), smtp?.stop()]);
});

const CUSTOMER = 'mario.rossi@cliente.example';

function mail(subject: string, body: string, messageId = `<${randomUUID()}@cliente.example>`) {
  return [
    `From: Mario Rossi <${CUSTOMER}>`,
    `To: ${DEFAULT_DOVECOT_USER.user}`,
    `Subject: ${subject}`,
    `Message-ID: ${messageId}`,
    'Date: Tue, 01 Dec 2026 09:30:00 +0100',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    '',
    body,
    '',
  ].join('\r\n');
}

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function inboundCount(): Promise<number> {
  const { rows } = await app.database.sql.query<{ n: number }>(
    "select count(*)::int as n from messages where direction = 'inbound'",
  );
  return rows[0]!.n;
}

/** Delivers a mail and waits until it is stored and the mailbox handled it. */
async function deliverAndWait(raw: string) {
  const before = await inboundCount();
  await dovecot.appendMessage(DEFAULT_DOVECOT_USER.user, DEFAULT_DOVECOT_USER.password, raw);
  await waitFor(async () => ((await inboundCount()) > before ? true : undefined), 'the mail stored');
  await app.settle();
}

/** Every mail's source in every folder of the mailbox (LIST, then SEARCH ALL in each). */
async function everyMail(): Promise<Array<{ folder: string; source: string; flags: string[] }>> {
  const client = new ImapFlow({
    host: dovecot.host,
    port: dovecot.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: DEFAULT_DOVECOT_USER.user, pass: DEFAULT_DOVECOT_USER.password },
    logger: false,
  });
  await client.connect();
  const found: Array<{ folder: string; source: string; flags: string[] }> = [];
  try {
    for (const folder of await client.list()) {
      const lock = await client.getMailboxLock(folder.path, { readOnly: true });
      try {
        const uids = (await client.search({ all: true }, { uid: true })) || [];
        if (uids.length === 0) continue;
        for await (const m of client.fetch(uids.join(','), { source: true, flags: true }, { uid: true })) {
          found.push({ folder: folder.path, source: String(m.source), flags: [...(m.flags ?? [])] });
        }
      } finally {
        lock.release();
      }
    }
  } finally {
    await client.logout();
  }
  return found;
}

/** A ticket, a consent request and a yes: the bot now waits for the credentials. */
async function awaitingCredentials(): Promise<{ subject: string }> {
  await createCustomer(
    app.core,
    { name: 'Mario Rossi', status: 'active', identities: [{ kind: 'email', address: CUSTOMER }] },
    'test',
  );
  await deliverAndWait(mail('PC lento', 'Il PC è lentissimo'));
  const { rows } = await app.database.sql.query<{ number: number }>('select number from tickets');
  const number = rows[0]!.number;
  expect((await app.api(`/tickets/${number}/consents`, { body: { technician: 'Luca' } })).status).toBe(201);
  await app.settle();
  const subject = `Re: [#${number}] PC lento`;
  await deliverAndWait(mail(subject, 'Sì'));
  const events = (await (await app.api(`/tickets/${number}/consents`)).json()) as {
    consents: Array<{ event: string }>;
  };
  expect(events.consents.map((c) => c.event)).toEqual(['requested', 'granted']);
  return { subject };
}

describe('a mail carrying credentials leaves the mailbox for good', () => {
  it.each([
    ['flagged \\Seen (no processed folder)', undefined],
    ['moved to a processed folder', 'Processed'],
  ])('%s', async (_how, processed) => {
    await start(processed);
    const { subject } = await awaitingCredentials();
    const password = `Pw${randomUUID().slice(0, 8)}`;
    await deliverAndWait(mail(subject, `ID 123 456 789\npassword: ${password}`));
    const { rows } = await app.database.sql.query<{ event: string }>(
      "select event from consents where event = 'credentials_provided'",
    );
    expect(rows).toHaveLength(1);
    await waitFor(async () => {
      const all = await everyMail();
      return all.some((m) => m.source.includes(password)) ? undefined : all;
    }, 'the credentials mail expunged');
    // The ordinary mails stay, handled as before; nothing of the password is anywhere.
    const all = await everyMail();
    expect(all).toHaveLength(2);
    for (const m of all) {
      expect(m.source).not.toContain(password);
      expect(m.source).not.toContain('123 456 789');
      if (processed) expect(m.folder).toBe(processed);
      else expect(m.flags).toContain('\\Seen');
    }
    // An ordinary reply afterwards is kept as today.
    await deliverAndWait(mail(subject, 'Grazie, a dopo'));
    await waitFor(async () => {
      const now = await everyMail();
      return now.length === 3 &&
        now.every((m) => (processed ? m.folder === processed : m.flags.includes('\\Seen')))
        ? now
        : undefined;
    }, 'the ordinary reply kept');
  });
});
