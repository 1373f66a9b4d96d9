import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmailKit, HELPDESK, startEmailKit } from './email-kit.js';
import { rawMail } from './mail-fixtures.js';

/**
 * Forged senders and the reflector: a mail whose From fails DMARC at the trusted provider never
 * reaches into a customer's ticket (unless our reply token proves it); without a verdict it threads
 * but shows as not verified; answers to unknown senders have a global hourly cap.
 */
const PROVIDER = 'mx.provider.example';
let kit: EmailKit;
let seq = 0;

beforeAll(async () => {
  kit = await startEmailKit({
    trustedAuthservIds: [PROVIDER],
    env: { UNKNOWN_SENDER_REPLIES_PER_HOUR: '2' },
  });
}, 60_000);
afterAll(async () => {
  await kit?.close();
});

function mail(from: string, subject: string, body: string, headers: string[] = []) {
  seq++;
  const messageId = `<h${seq}.${Date.now()}@client.example>`;
  const raw = rawMail(
    [
      ...headers,
      `From: <${from}>`,
      `To: ${HELPDESK}`,
      `Subject: ${subject}`,
      `Message-ID: ${messageId}`,
      'Date: Mon, 30 Nov 2026 10:00:00 +0100',
      'Content-Type: text/plain; charset=utf-8',
    ],
    body,
  );
  return { raw, messageId };
}

const verdict = (result: string, id = PROVIDER) =>
  `Authentication-Results: ${id};\r\n spf=${result} smtp.mailfrom=cliente.example;\r\n dmarc=${result} (p=REJECT) header.from=cliente.example`;

async function stored(messageId: string) {
  return kit.waitFor(
    async () => (await kit.inbound('external_id = $1', [messageId]))[0],
    `mail ${messageId}`,
  );
}

async function apiMessage(ticketNumber: number, messageId: string) {
  const response = await kit.app.api(`/tickets/${ticketNumber}`);
  const body = (await response.json()) as {
    messages: Array<{ externalId: string; senderVerified: boolean; senderVerification?: string }>;
  };
  return body.messages.find((m) => m.externalId === messageId);
}

/** A customer with a ticket opened by a verified mail; returns the ticket number and our ack. */
async function customerWithTicket() {
  const from = await kit.newCustomer();
  const first = mail(from, 'Server fermo', 'Il server non risponde.', [verdict('pass')]);
  await kit.deliver(first.raw);
  const ack = await kit.smtp.waitFor((m) => m.parsed.inReplyTo === first.messageId);
  const number = Number(/\[#(\d+)\]/.exec(ack.parsed.subject ?? '')![1]);
  expect((await apiMessage(number, first.messageId))?.senderVerified).toBe(true);
  return { from, number, ack, first };
}

describe('forged senders', () => {
  it('keeps a DMARC-failing mail with a customer’s From and ticket tag as suspicious: no ticket, no answer, an alert', async () => {
    const { from, number } = await customerWithTicket();
    // The provider's verdict is on top; a forged "pass" under it with the same id changes nothing.
    const forged = mail(from, `Re: [#${number}] Server fermo`, 'Mandatemi la password di amministratore.', [
      verdict('fail'),
      verdict('pass'),
    ]);
    await kit.deliver(forged.raw);
    const row = await stored(forged.messageId);
    expect(row).toMatchObject({ disposition: 'suspicious', ticket_id: null, customer_id: null });
    const { rows: alerts } = await kit.app.database.sql.query<{ text: string }>(
      "select text from staff_alerts where kind = 'suspicious_mail' and data->>'messageId' = $1",
      [row.id],
    );
    expect(alerts[0]!.text).toContain('failed DMARC');
    const { rows: opened } = await kit.app.database.sql.query<{ n: number }>(
      'select count(*)::int as n from tickets where customer_id = (select customer_id from identities where address = $1)',
      [from],
    );
    expect(opened[0]!.n).toBe(1);
    await kit.app.settle();
    expect(kit.smtp.messages.filter((m) => m.parsed.inReplyTo === forged.messageId)).toEqual([]);
    const unmatched = (await (await kit.app.api('/unmatched')).json()) as {
      messages: Array<{ externalId: string; reason: string }>;
    };
    expect(unmatched.messages.find((m) => m.externalId === forged.messageId)?.reason).toContain('DMARC');
  });

  it('threads a DMARC-failing reply that carries our reply token: the token is proof', async () => {
    const { from, number, ack } = await customerWithTicket();
    const reply = mail(from, `Re: ${ack.parsed.subject}`, 'Confermo, procedete.', [
      verdict('fail'),
      `In-Reply-To: ${ack.parsed.messageId}`,
    ]);
    await kit.deliver(reply.raw);
    const row = await stored(reply.messageId);
    expect(row.disposition).toBe('ticket');
    const view = await apiMessage(number, reply.messageId);
    expect(view).toMatchObject({ senderVerified: true, senderVerification: 'reply_token' });
  });

  it('threads a mail without a trusted verdict but shows it as sender not verified', async () => {
    const { from, number } = await customerWithTicket();
    // Only a verdict from a server we do not trust (anyone can write one).
    const unverified = mail(from, `Re: [#${number}] Server fermo`, 'Ancora fermo.', [
      verdict('pass', 'forged.example'),
    ]);
    await kit.deliver(unverified.raw);
    const row = await stored(unverified.messageId);
    expect(row.disposition).toBe('ticket');
    expect(await apiMessage(number, unverified.messageId)).toMatchObject({
      senderVerified: false,
      senderVerification: 'none',
    });
  });

  it('answers unknown senders at most UNKNOWN_SENDER_REPLIES_PER_HOUR times an hour in all', async () => {
    const strangers = [1, 2, 3, 4].map((i) => `sconosciuto${i}.${Date.now()}@spam.example`);
    const sent = strangers.map((from) => mail(from, 'Offerta', 'Compra ora.'));
    for (const m of sent) await kit.deliver(m.raw);
    for (const m of sent) expect((await stored(m.messageId)).disposition).toBe('unmatched');
    await kit.app.settle();
    const answers = kit.smtp.messages.filter((m) => strangers.some((s) => m.envelope.to.includes(s)));
    expect(answers).toHaveLength(2);
    const { rows } = await kit.app.database.sql.query<{ n: number }>(
      "select count(*)::int as n from staff_alerts where text like '%hourly cap on answers to unknown senders%'",
    );
    expect(rows[0]!.n).toBe(2);
  });
});
