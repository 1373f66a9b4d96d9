import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailAdapter } from '../../../src/channels/email/email-adapter.js';
import type { EmailSettings } from '../../../src/config.js';
import { createCustomer } from '../../../src/core/customers.js';
import { createLogger } from '../../../src/logger.js';
import { DEFAULT_DOVECOT_USER, type DovecotServer, startDovecot } from '../../helpers/dovecot.js';
import { emailSettingsFor } from '../../helpers/email-settings.js';
import { type SmtpCapture, startSmtpCapture } from '../../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { fixtureNames, rawMail, readFixture } from './mail-fixtures.js';

/** The email channel end to end: Dovecot on loopback in, smtp-server out, the whole app between. */
let dovecot: DovecotServer;
let smtp: SmtpCapture;
let app: TestApp;
let adapter: EmailAdapter;
const HELPDESK = DEFAULT_DOVECOT_USER.user;

function emailSettings(): EmailSettings {
  return emailSettingsFor(dovecot, { smtp, maxAttachmentBytes: 100 * 1024, maxMailBytes: 300 * 1024 });
}

async function deliver(raw: Buffer | string) {
  await dovecot.appendMessage(DEFAULT_DOVECOT_USER.user, DEFAULT_DOVECOT_USER.password, raw);
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

async function inboundByMessageId(messageId: string) {
  const { rows } = await app.database.sql.query<{
    ticket_id: string | null;
    disposition: string;
    new_text: string;
  }>(
    "select ticket_id::text, disposition, new_text from messages where direction = 'inbound' and external_id = $1",
    [messageId],
  );
  return rows[0];
}

async function ticketCount(): Promise<number> {
  const { rows } = await app.database.sql.query<{ n: number }>('select count(*)::int as n from tickets');
  return rows[0]!.n;
}

function messageIdOf(name: string): string {
  return /^message-id:\s*(\S+)/im.exec(readFixture('bounces', name).toString('latin1'))?.[1] ?? name;
}

async function ticketNumberOf(ticketId: string): Promise<number> {
  const { rows } = await app.database.sql.query<{ number: number }>(
    'select number from tickets where id = $1',
    [ticketId],
  );
  return rows[0]!.number;
}

let customers = 0;
/** A fresh customer per test, so the per-address limit on automatic mail never links tests. */
async function newCustomer(): Promise<string> {
  customers++;
  const address = `cliente${customers}@cliente.example`;
  await createCustomer(
    app.core,
    { name: address, status: 'active', identities: [{ kind: 'email', address }] },
    'test',
  );
  return address;
}

let counter = 0;
function customerMail(from: string, subject: string, extra: string[] = [], body?: string) {
  counter++;
  const messageId = `<c${counter}.${Date.now()}@client.example>`;
  const raw = rawMail(
    [
      `From: Cliente <${from}>`,
      `To: ${HELPDESK}`,
      `Subject: ${subject}`,
      `Message-ID: ${messageId}`,
      'Date: Mon, 10 Mar 2025 10:00:00 +0100',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      ...extra,
    ],
    body,
  );
  return { raw, messageId };
}

beforeAll(async () => {
  [dovecot, smtp] = await Promise.all([startDovecot(), startSmtpCapture()]);
  app = await startTestApp({
    adapters: () => {
      adapter = new EmailAdapter(emailSettings(), createLogger(process.env.TEST_LOG ?? 'silent'), {
        idleDelayMs: 100,
        pollIntervalMs: 2000,
      });
      return [adapter];
    },
    settings: { messageIdDomain: 'example.test', autoReplyLimitPerHour: 3 },
  });
  await createCustomer(
    app.core,
    { name: 'Anna', status: 'active', identities: [{ kind: 'email', address: 'anna@cliente.example' }] },
    'test',
  );
}, 60_000);

afterAll(async () => {
  await app?.close();
  await Promise.all([dovecot?.stop(), smtp?.stop()]);
});

describe('email channel', () => {
  it('turns a customer mail into a ticket and acknowledges it with threading headers', async () => {
    const mail = customerMail('Anna@Cliente.example', 'Il PC non si accende');
    await deliver(mail.raw);
    const ack = await smtp.waitFor((m) => m.parsed.inReplyTo === mail.messageId);
    const stored = await waitFor(() => inboundByMessageId(mail.messageId), 'the stored mail');
    const number = await ticketNumberOf(stored.ticket_id!);
    expect(ack.envelope.to).toEqual(['anna@cliente.example']);
    expect(ack.parsed.subject).toBe(`Re: [#${number}] Il PC non si accende`);
    expect(ack.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(ack.parsed.references).toContain(mail.messageId);
    expect(ack.parsed.messageId).toMatch(
      new RegExp(`^<hd${number}x[a-z2-7]{16}\\.[0-9a-z]+\\.[0-9a-z]+@example\\.test>$`),
    );
    expect(ack.parsed.replyTo?.value[0]?.address).toMatch(new RegExp(`^helpdesk\\+hd${number}x`));
    expect(ack.parsed.text).toContain('entro 2 giorni lavorativi');
    expect(ack.parsed.html).toContain('<p>');
    const listed = await waitFor(async () => {
      const all = await dovecot.listMessages(DEFAULT_DOVECOT_USER.user, DEFAULT_DOVECOT_USER.password);
      const mine = all.find((m) => m.messageId === mail.messageId);
      return mine?.flags.includes('\\Seen') ? mine : undefined;
    }, 'the \\Seen flag');
    expect(listed.flags).toContain('\\Seen');
  });

  it('starts the first-contact clock at the IMAP internal date, not when the mail was read', async () => {
    await createCustomer(
      app.core,
      { name: 'Bruno', status: 'active', identities: [{ kind: 'email', address: 'bruno@cliente.example' }] },
      'test',
    );
    await app.database.sql.query(
      "update customers set activated_at = now() - interval '3 days' where name = 'Bruno'",
    );
    const arrived = new Date(Math.floor((Date.now() - 40 * 60_000) / 1000) * 1000);
    const mail = customerMail('bruno@cliente.example', 'La rete è lenta');
    await dovecot.appendMessage(
      DEFAULT_DOVECOT_USER.user,
      DEFAULT_DOVECOT_USER.password,
      mail.raw,
      undefined,
      [],
      arrived,
    );
    const stored = await waitFor(() => inboundByMessageId(mail.messageId), 'the stored mail');
    const { rows } = await app.database.sql.query<{ due: Date; clock_from: Date }>(
      'select t.first_contact_due_at as due, c.clock_from from tickets t join first_contact_clocks c on c.ticket_id = t.id where t.id = $1',
      [stored.ticket_id],
    );
    expect(new Date(rows[0]!.clock_from).toISOString()).toBe(arrived.toISOString());
    expect(new Date(rows[0]!.due).toISOString()).toBe(app.core.firstContactDeadline(arrived).toISOString());
  });

  it("threads a reply written in a real client onto the ticket, keeping only the customer's new words", async () => {
    const first = customerMail('anna@cliente.example', 'Stampante');
    await deliver(first.raw);
    const ack = await smtp.waitFor((m) => m.parsed.inReplyTo === first.messageId);
    const sample = readFixture('replies', 'talon-gmail.eml').toString('latin1');
    const reply = sample
      .replace(/^From:.*$/im, 'From: Anna <anna@cliente.example>')
      .replace(/^Message-ID:.*$/im, 'Message-ID: <reply-gmail-1@client.example>')
      .replace(/^In-Reply-To:.*$/im, '')
      .replace(
        /^Subject:.*$/im,
        `Subject: Re: ${ack.parsed.subject}\r\nIn-Reply-To: ${ack.parsed.messageId}`,
      );
    await deliver(Buffer.from(reply, 'latin1'));
    const stored = await waitFor(() => inboundByMessageId('<reply-gmail-1@client.example>'), 'the reply');
    const original = await inboundByMessageId(first.messageId);
    expect(stored.ticket_id).toBe(original!.ticket_id);
    expect(stored.new_text).toBe('Hello');
  });

  it("keeps a stranger who copies a ticket tag out of someone else's ticket", async () => {
    const first = customerMail('anna@cliente.example', 'Rete lenta');
    await deliver(first.raw);
    const ack = await smtp.waitFor((m) => m.parsed.inReplyTo === first.messageId);
    const owner = await inboundByMessageId(first.messageId);
    const stranger = customerMail('mallory@evil.example', `Re: ${ack.parsed.subject}`, [
      `In-Reply-To: ${ack.parsed.messageId}`,
    ]);
    await deliver(stranger.raw);
    const other = customerMail(await newCustomer(), `Re: ${ack.parsed.subject}`, [
      `References: ${ack.parsed.messageId}`,
    ]);
    await deliver(other.raw);
    const strangerRow = await waitFor(() => inboundByMessageId(stranger.messageId), 'the stranger mail');
    const otherRow = await waitFor(() => inboundByMessageId(other.messageId), 'the other customer mail');
    expect(strangerRow.ticket_id).toBeNull();
    expect(strangerRow.disposition).toBe('unmatched');
    expect(otherRow.ticket_id).not.toBe(owner!.ticket_id);
    const register = await smtp.waitFor((m) => m.envelope.to.includes('mallory@evil.example'));
    expect(register.parsed.text).toContain('/register');
    expect(register.parsed.headers.get('auto-submitted')).toBe('auto-replied');
  });

  it('answers no auto-reply, and no bounce sample opens a ticket or gets a mail', async () => {
    const vacation = customerMail('anna@cliente.example', 'Fuori sede', ['Auto-Submitted: auto-replied']);
    await deliver(vacation.raw);
    // Our own mail coming back (a copy, a forwarding loop) is never answered either.
    const own = customerMail(HELPDESK, 'Copia');
    await deliver(own.raw);
    const bounces = fixtureNames('bounces');
    await dovecot.appendMessages(
      DEFAULT_DOVECOT_USER.user,
      DEFAULT_DOVECOT_USER.password,
      bounces.map((name) => readFixture('bounces', name)),
    );
    const ticketsBefore = await ticketCount();
    const marker = customerMail(await newCustomer(), 'Dopo i bounce');
    await deliver(marker.raw);
    await waitFor(() => inboundByMessageId(marker.messageId), 'the marker mail', 30_000);
    await adapter.ingester.idle();
    await app.settle();
    // Only the marker opened a ticket. Three samples share one Message-ID but are different mails:
    // each is stored (a reused Message-ID loses nothing).
    expect(await ticketCount()).toBe(ticketsBefore + 1);
    const { rows } = await app.database.sql.query<{ n: number }>(
      "select count(*)::int as n from messages where direction = 'inbound' and disposition = 'automated'",
    );
    expect(new Set(bounces.map(messageIdOf)).size).toBeLessThan(bounces.length);
    expect(rows[0]!.n).toBe(bounces.length + 2);
    const answered = smtp.messages.filter(
      (m) =>
        m.parsed.inReplyTo === vacation.messageId ||
        m.envelope.to.some((to) => /daemon|postmaster/i.test(to)),
    );
    expect(answered).toEqual([]);
    const { rows: failed } = await app.database.sql.query<{ n: number }>(
      'select count(*)::int as n from raw_inputs where error is not null',
    );
    expect(failed[0]!.n).toBe(0);
  }, 60_000);

  it('opens a new ticket for a new topic, reading an HTML-only mail safely', async () => {
    const from = await newCustomer();
    const first = customerMail(from, 'Stampante');
    await deliver(first.raw);
    const firstRow = await waitFor(() => inboundByMessageId(first.messageId), 'the first mail');
    const html = customerMail(
      from,
      'Nuovo argomento: il Wi-Fi',
      ['Content-Type: text/html; charset=utf-8'],
      '<html><body><p>Il <b>Wi-Fi</b> cade &amp; riparte</p><script>alert(1)</script><img src="http://track.example/x.gif" onerror="x()"></body></html>',
    );
    const raw = Buffer.from(html.raw.toString().replace('Content-Type: text/plain; charset=utf-8\r\n', ''));
    await deliver(raw);
    const row = await waitFor(() => inboundByMessageId(html.messageId), 'the HTML mail');
    expect(row.ticket_id).not.toBe(firstRow.ticket_id);
    expect(row.new_text).toContain('Il Wi-Fi cade & riparte');
    const { rows } = await app.database.sql.query<{ html: string }>(
      "select html from messages where external_id = $1 and direction = 'inbound'",
      [html.messageId],
    );
    expect(rows[0]!.html).toContain('<b>Wi-Fi</b>');
    expect(rows[0]!.html).not.toMatch(/script|onerror|track\.example/);
  });

  it('marks our mail failed when it bounces, and tells the technicians', async () => {
    const bruno = await newCustomer();
    const first = customerMail(bruno, 'Backup');
    await deliver(first.raw);
    const ack = await smtp.waitFor((m) => m.parsed.inReplyTo === first.messageId);
    const dsn = rawMail(
      [
        'From: Mail Delivery System <MAILER-DAEMON@mx.cliente.example>',
        `To: ${HELPDESK}`,
        'Subject: Undelivered Mail Returned to Sender',
        'Message-ID: <bounce-1@mx.cliente.example>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
      ],
      [
        '--b1',
        'Content-Type: text/plain',
        '',
        'Your message could not be delivered.',
        '--b1',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.cliente.example',
        '',
        `Final-Recipient: rfc822; ${bruno}`,
        'Action: failed',
        'Status: 5.1.1',
        '--b1',
        'Content-Type: text/rfc822-headers',
        '',
        `Message-ID: ${ack.parsed.messageId}`,
        `Subject: ${ack.parsed.subject}`,
        '--b1--',
      ].join('\n'),
    );
    await deliver(dsn);
    const status = await waitFor(async () => {
      const { rows } = await app.database.sql.query<{ status: string }>(
        'select status from deliveries where external_id = $1',
        [ack.parsed.messageId],
      );
      return rows[0]?.status === 'failed' ? rows[0].status : undefined;
    }, 'the bounced delivery');
    expect(status).toBe('failed');
    const alerts = (await (await app.api('/alerts')).json()) as {
      alerts: Array<{ kind: string; text: string }>;
    };
    expect(alerts.alerts.some((a) => a.kind === 'delivery_bounced' && a.text.includes(bruno))).toBe(true);
  });

  it('replaces an oversize attachment with a note and tells the customer', async () => {
    const big = Buffer.alloc(150 * 1024, 7)
      .toString('base64')
      .replace(/.{76}/g, '$&\n');
    const mail = customerMail(
      await newCustomer(),
      'Allegato grande',
      ['Content-Type: multipart/mixed; boundary="mix"'].concat([]),
      [
        '--mix',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Vedi allegato.',
        '--mix',
        'Content-Type: application/octet-stream; name="dump.bin"',
        'Content-Disposition: attachment; filename="dump.bin"',
        'Content-Transfer-Encoding: base64',
        '',
        big,
        '--mix--',
      ].join('\n'),
    );
    const raw = Buffer.from(
      mail.raw.toString().replace('Content-Type: text/plain; charset=utf-8\r\nContent-Type', 'Content-Type'),
    );
    await deliver(raw);
    const stored = await waitFor(() => inboundByMessageId(mail.messageId), 'the mail with a big attachment');
    const number = await ticketNumberOf(stored.ticket_id!);
    const notice = await smtp.waitFor((m) => /troppo grandi/.test(m.parsed.text ?? ''));
    expect(notice.parsed.text).toContain('dump.bin');
    const ticket = (await (await app.api(`/tickets/${number}`)).json()) as {
      messages: Array<{ attachments: Array<{ filename: string; kept: boolean; omittedReason: string }> }>;
    };
    const file = ticket.messages[0]!.attachments[0]!;
    expect(file).toMatchObject({ filename: 'dump.bin', kept: false });
    expect(file.omittedReason).toBeTruthy();
    const { rows } = await app.database.sql.query<{ n: number }>(
      // The raw source is kept whole: its first piece in the row, the rest in raw_input_chunks.
      `select count(*)::int as n from raw_inputs r where external_id = $1
          and length(data) + coalesce((select sum(length(c.data)) from raw_input_chunks c
                                        where c.raw_input_id = r.id), 0) > 150000`,
      [mail.messageId],
    );
    expect(rows[0]!.n).toBe(1);
  });

  it('sends a technician reply as a human mail in the same thread, retrying a temporary SMTP failure', async () => {
    const first = customerMail(await newCustomer(), 'Server lento');
    await deliver(first.raw);
    await smtp.waitFor((m) => m.parsed.inReplyTo === first.messageId);
    const stored = await inboundByMessageId(first.messageId);
    const number = await ticketNumberOf(stored!.ticket_id!);
    smtp.failNext('transient', 1);
    const posted = await app.api(`/tickets/${number}/messages`, {
      body: { author: 'Luca', text: 'Buongiorno,\n\nla chiamo domani alle 10. <ok> & grazie 😀' },
    });
    expect(posted.status).toBe(201);
    const reply = await smtp.waitFor((m) => (m.parsed.text ?? '').includes('la chiamo domani'));
    expect(reply.parsed.subject).toBe(`Re: [#${number}] Server lento`);
    expect(reply.parsed.headers.get('auto-submitted')).toBeUndefined();
    expect(reply.parsed.inReplyTo).toBe(first.messageId);
    expect(reply.parsed.text).toContain('<ok> & grazie 😀');
    expect(reply.parsed.html).toContain('&#60;ok&#62; &#38; grazie 😀');
    await app.settle();
    const { rows } = await app.database.sql.query<{ status: string; attempts: number }>(
      "select d.status, d.attempts from deliveries d join messages m on m.id = d.message_id where m.author = 'Luca'",
    );
    expect(rows[0]).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('records a permanent SMTP rejection with the server reason', async () => {
    const first = customerMail(await newCustomer(), 'Rifiutata');
    smtp.failNext('permanent', 1);
    await deliver(first.raw);
    const stored = await waitFor(() => inboundByMessageId(first.messageId), 'the mail');
    await app.settle();
    const { rows } = await app.database.sql.query<{ status: string; last_error: string }>(
      'select d.status, d.last_error from deliveries d join messages m on m.id = d.message_id where m.ticket_id = $1',
      [stored.ticket_id],
    );
    expect(rows[0]!.status).toBe('failed');
    expect(rows[0]!.last_error).toMatch(/550/);
  });

  it('survives the IMAP server restarting while idle', async () => {
    await adapter.ingester.idle();
    const connects = adapter.ingester.stats.connects;
    await dovecot.restart();
    const mail = customerMail(await newCustomer(), 'Dopo il riavvio');
    await deliver(mail.raw);
    const stored = await waitFor(
      () => inboundByMessageId(mail.messageId),
      'the mail after the restart',
      30_000,
    );
    expect(stored.ticket_id).not.toBeNull();
    expect(adapter.ingester.stats.connects).toBeGreaterThan(connects);
  }, 45_000);
});
