import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailAdapter } from '../../../src/channels/email/email-adapter.js';
import { createCustomer } from '../../../src/core/customers.js';
import { createLogger } from '../../../src/logger.js';
import { DEFAULT_DOVECOT_USER, type DovecotServer, startDovecot } from '../../helpers/dovecot.js';
import { emailSettingsFor } from '../../helpers/email-settings.js';
import { type SmtpCapture, startSmtpCapture } from '../../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { buildTnef } from '../../helpers/tnef-builder.js';
import { rawMail, readFixture } from './mail-fixtures.js';

/**
 * Issue 18 through the real Dovecot and smtp-server: what the customer receives and what is
 * stored for list software, odd bounces, form mailers, our own group, device alerts, winmail.dat.
 * People and domains are invented.
 */
let dovecot: DovecotServer;
let smtp: SmtpCapture;
let app: TestApp;
let adapter: EmailAdapter;
const HELPDESK = DEFAULT_DOVECOT_USER.user;
const [HELPDESK_LOCAL, HELPDESK_DOMAIN] = HELPDESK.split('@') as [string, string];

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

interface StoredInbound {
  id: string;
  ticket_id: string | null;
  disposition: string;
  sender_address: string | null;
}

async function stored(messageId: string): Promise<StoredInbound | undefined> {
  const { rows } = await app.database.sql.query<StoredInbound>(
    `select id::text, ticket_id::text, disposition, sender_address
       from messages where direction = 'inbound' and external_id = $1`,
    [messageId],
  );
  return rows[0];
}

/** Waits until the mail is stored and everything it caused has been sent or suppressed. */
async function processed(messageId: string): Promise<StoredInbound> {
  const row = await waitFor(() => stored(messageId), messageId);
  await adapter.ingester.idle();
  await app.settle();
  return row;
}

async function ticketOf(id: string) {
  const { rows } = await app.database.sql.query<{ number: number; automatic: boolean; customer: string }>(
    `select t.number, t.automatic, c.name as customer from tickets t join customers c on c.id = t.customer_id
      where t.id = $1`,
    [id],
  );
  return rows[0]!;
}

function sentTo(address: string) {
  return smtp.messages.filter((m) => m.envelope.to.includes(address));
}

let serial = 0;
async function newCustomer(name: string): Promise<string> {
  serial++;
  const address = `${name}${serial}@cliente.example`;
  await createCustomer(
    app.core,
    { name: address, status: 'active', identities: [{ kind: 'email', address }] },
    'test',
  );
  return address;
}

function mail(headers: string[], body?: string) {
  serial++;
  const messageId = `<rw${serial}.${Date.now()}@sender.example>`;
  return {
    messageId,
    raw: rawMail(
      [`To: ${HELPDESK}`, `Message-ID: ${messageId}`, 'Date: Mon, 30 Nov 2026 10:00:00 +0100', ...headers],
      body,
    ),
  };
}

beforeAll(async () => {
  [dovecot, smtp] = await Promise.all([startDovecot(), startSmtpCapture()]);
  app = await startTestApp({
    adapters: () => {
      adapter = new EmailAdapter(
        emailSettingsFor(dovecot, { smtp }),
        createLogger(process.env.TEST_LOG ?? 'silent'),
        {
          idleDelayMs: 100,
          pollIntervalMs: 2000,
        },
      );
      return [adapter];
    },
    settings: { messageIdDomain: HELPDESK_DOMAIN, autoReplyLimitPerHour: 5 },
  });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await Promise.all([dovecot?.stop(), smtp?.stop()]);
});

describe('real-world mail through the mailbox', () => {
  it('list software notices open nothing and get nothing', async () => {
    const before = smtp.messages.length;
    const names = [
      'list-mailman-notice.eml',
      'list-fml-notice.eml',
      'list-majordomo-owner.eml',
      'list-sympa-request.eml',
      'list-google-groups-digest.eml',
    ];
    for (const name of names) await deliver(readFixture('real-world', name));
    const last = /^message-id:\s*(\S+)/im.exec(readFixture('real-world', names.at(-1)!).toString())![1]!;
    const row = await processed(last);
    expect(row.disposition).toBe('automated');
    const { rows } = await app.database.sql.query<{ n: number }>(
      "select count(*)::int as n from messages where direction = 'inbound' and disposition = 'automated'",
    );
    expect(rows[0]!.n).toBeGreaterThanOrEqual(names.length);
    expect(smtp.messages.length).toBe(before);
  });

  it('a form mailer’s mail is the Reply-To customer’s: their ticket, their acknowledgement, nothing to noreply', async () => {
    const luca = await newCustomer('luca');
    const form = mail([
      'From: Sito Cliente <noreply@sito-cliente.example>',
      `Reply-To: Luca <${luca}>`,
      'Subject: Nuovo messaggio dal modulo contatti',
    ]);
    await deliver(form.raw);
    const ack = await smtp.waitFor((m) => m.parsed.inReplyTo === form.messageId);
    expect(ack.envelope.to).toEqual([luca]);
    const row = await processed(form.messageId);
    expect(row.disposition).toBe('ticket');
    expect(row.sender_address).toBe(luca);
    expect((await ticketOf(row.ticket_id!)).customer).toBe(luca);
    expect(sentTo('noreply@sito-cliente.example')).toEqual([]);
  });

  it('a form mailer with an unknown requester: unmatched, told how to register at Reply-To only', async () => {
    const form = mail([
      'From: noreply@sito-cliente.example',
      'Reply-To: Sara Gialli <sara.gialli@nuovo-cliente.example>',
      'Subject: Richiesta informazioni',
    ]);
    await deliver(form.raw);
    const notice = await smtp.waitFor((m) => m.envelope.to.includes('sara.gialli@nuovo-cliente.example'));
    expect(notice.parsed.text).toContain('/register');
    expect((await processed(form.messageId)).disposition).toBe('unmatched');
    expect(sentTo('noreply@sito-cliente.example')).toEqual([]);
  });

  it('a no-reply sender alone is stored and never answered, even when unknown', async () => {
    const notice = mail([
      'From: Fornitore <no-reply@fornitore.example>',
      'Subject: La tua fattura è disponibile',
    ]);
    await deliver(notice.raw);
    const row = await processed(notice.messageId);
    expect(row.disposition).toBe('automated');
    expect(sentTo('no-reply@fornitore.example')).toEqual([]);
  });

  it('mail through our own group opens, threads and reopens as any other', async () => {
    const anna = await newCustomer('anna');
    const viaGroup = (subject: string, extra: string[] = []) =>
      mail([
        `From: "'Anna' via Assistenza" <${HELPDESK}>`,
        `X-Original-From: Anna <${anna}>`,
        `Reply-To: Anna <${anna}>`,
        `Sender: ${HELPDESK}`,
        `Subject: ${subject}`,
        `List-Id: <${HELPDESK_LOCAL}.${HELPDESK_DOMAIN}>`,
        `List-Post: <mailto:${HELPDESK}>`,
        'Precedence: list',
        ...extra,
      ]);
    const first = viaGroup('La VPN non si collega');
    await deliver(first.raw);
    const ack = await smtp.waitFor((m) => m.parsed.inReplyTo === first.messageId);
    expect(ack.envelope.to).toEqual([anna]);
    const opened = await processed(first.messageId);
    expect(opened.disposition).toBe('ticket');
    const number = (await ticketOf(opened.ticket_id!)).number;

    const reply = viaGroup(`Re: ${ack.parsed.subject}`, [`In-Reply-To: ${ack.parsed.messageId}`]);
    await deliver(reply.raw);
    expect((await processed(reply.messageId)).ticket_id).toBe(opened.ticket_id);

    const resolved = await app.api(`/tickets/${number}/status`, {
      method: 'POST',
      body: { author: 'tecnico', status: 'resolved' },
    });
    expect(resolved.status).toBe(200);
    const again = viaGroup(`Re: ${ack.parsed.subject}`, [`In-Reply-To: ${ack.parsed.messageId}`]);
    await deliver(again.raw);
    expect((await processed(again.messageId)).ticket_id).toBe(opened.ticket_id);
    const { rows } = await app.database.sql.query<{ status: string }>(
      'select status from tickets where id = $1',
      [opened.ticket_id],
    );
    expect(rows[0]!.status).toBe('open');
  });

  it('a device’s alert from a customer’s address opens a ticket marked automatic and sends nothing', async () => {
    const nas = await newCustomer('nas');
    const before = sentTo(nas).length;
    const alert = mail([
      `From: NAS Ufficio <${nas}>`,
      'Subject: [NAS-UFFICIO] Il disco 2 si è guastato',
      'Auto-Submitted: auto-generated',
    ]);
    await deliver(alert.raw);
    const row = await processed(alert.messageId);
    expect(row.disposition).toBe('ticket');
    const ticket = await ticketOf(row.ticket_id!);
    expect(ticket.automatic).toBe(true);
    // Technicians see the mark through the API.
    const view = (await (await app.api(`/tickets/${ticket.number}`)).json()) as {
      ticket: { automatic: boolean };
    };
    expect(view.ticket.automatic).toBe(true);
    // The same customer's vacation notice opens nothing.
    const vacation = mail([
      `From: ${nas}`,
      'Subject: Risposta automatica: ciao',
      'Auto-Submitted: auto-replied',
    ]);
    await deliver(vacation.raw);
    const stored = await processed(vacation.messageId);
    expect(stored.disposition).toBe('automated');
    expect(stored.ticket_id).toBeNull();
    expect(sentTo(nas).length).toBe(before);
  });

  it('winmail.dat arrives as its files on the ticket', async () => {
    const paolo = await newCustomer('paolo');
    const tnef = buildTnef({
      files: [{ filename: 'preventivo-firmato.pdf', content: Buffer.from('%PDF-1.4 firmato') }],
      body: 'Vi mando il preventivo firmato.',
    });
    const outlook = mail(
      [
        `From: Paolo <${paolo}>`,
        'Subject: Preventivo',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="tt"',
      ],
      [
        '--tt',
        'Content-Type: application/ms-tnef; name="winmail.dat"',
        'Content-Transfer-Encoding: base64',
        '',
        tnef.toString('base64'),
        '--tt--',
      ].join('\n'),
    );
    await deliver(outlook.raw);
    const row = await processed(outlook.messageId);
    const { rows } = await app.database.sql.query<{ filename: string; content_type: string }>(
      'select filename, content_type from attachments where message_id = $1',
      [row.id],
    );
    expect(rows).toEqual([{ filename: 'preventivo-firmato.pdf', content_type: 'application/pdf' }]);
    const { rows: texts } = await app.database.sql.query<{ new_text: string }>(
      'select new_text from messages where id = $1',
      [row.id],
    );
    expect(texts[0]!.new_text).toBe('Vi mando il preventivo firmato.');
  });
});

describe('bounces of ours', () => {
  async function deliveryStatus(messageId: string): Promise<string | undefined> {
    const { rows } = await app.database.sql.query<{ status: string }>(
      'select status from deliveries where external_id = $1',
      [messageId],
    );
    return rows[0]?.status;
  }

  it('a bounce from a no-reply address in another language, with our mail attached, marks it failed', async () => {
    const jan = await newCustomer('jan');
    const first = mail([`From: ${jan}`, 'Subject: Stampante']);
    await deliver(first.raw);
    const ack = await smtp.waitFor((m) => m.parsed.inReplyTo === first.messageId);
    const bounce = mail(
      [
        'From: Serwer poczty <no-reply@poczta.dostawca-pl.example>',
        'Subject: Wiadomosc nie zostala dostarczona',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="zz"',
      ],
      [
        '--zz',
        'Content-Type: text/plain',
        '',
        'Skrzynka pelna.',
        '--zz',
        'Content-Type: message/rfc822',
        '',
        `From: ${HELPDESK}`,
        `To: ${jan}`,
        `Subject: ${ack.parsed.subject}`,
        `Message-ID: ${ack.parsed.messageId}`,
        '',
        'testo',
        '--zz--',
      ].join('\n'),
    );
    await deliver(bounce.raw);
    expect((await processed(bounce.messageId)).disposition).toBe('automated');
    expect(await deliveryStatus(ack.parsed.messageId!)).toBe('failed');
    expect(sentTo('no-reply@poczta.dostawca-pl.example')).toEqual([]);
  });

  it('a mail that merely quotes our Message-ID, about another domain, marks nothing (issue 16)', async () => {
    const first = mail(['From: Ignoto <ignoto@sconosciuto.example>', 'Subject: Salve']);
    await deliver(first.raw);
    const notice = await smtp.waitFor((m) => m.envelope.to.includes('ignoto@sconosciuto.example'));
    await app.settle();
    expect(await deliveryStatus(notice.parsed.messageId!)).toBe('sent');
    const stranger = mail(
      [
        'From: MAILER-DAEMON@mx.altro-dominio.example',
        'Subject: Undelivered Mail Returned to Sender',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
      ],
      [
        '--b1',
        'Content-Type: text/plain',
        '',
        'Not delivered.',
        '--b1',
        'Content-Type: message/delivery-status',
        '',
        'Final-Recipient: rfc822; qualcuno@altro-dominio.example',
        'Action: failed',
        '--b1',
        'Content-Type: text/rfc822-headers',
        '',
        'From: qualcuno@terzi.example',
        'To: qualcuno@altro-dominio.example',
        `References: ${notice.parsed.messageId}`,
        `Message-ID: ${notice.parsed.messageId}`,
        '--b1--',
      ].join('\n'),
    );
    await deliver(stranger.raw);
    await processed(stranger.messageId);
    expect(await deliveryStatus(notice.parsed.messageId!)).toBe('sent');
  });
});
