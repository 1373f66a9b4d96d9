import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../src/core/customers.js';
import { createReplyToken } from '../../src/core/reply-token.js';
import { getTicketByNumber, postTechnicianMessage, setStatus } from '../../src/core/tickets.js';
import { messages, rawInputs, tickets } from '../../src/db/schema.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { inbound, TestChannel } from '../helpers/test-channel.js';

let app: TestApp;
let channel: TestChannel;
let customerCount = 0;

async function newCustomer(locale: 'it' | 'en' = 'it', extra: { hourlyRateCents?: number } = {}) {
  customerCount++;
  const address = `customer${customerCount}@example.test`;
  await createCustomer(
    app.core,
    {
      name: `Cliente ${customerCount}`,
      locale,
      status: 'active',
      identities: [{ kind: 'test', address }],
      ...extra,
    },
    'test',
  );
  return address;
}

async function ticketCount() {
  return (await app.database.db.select().from(tickets)).length;
}

beforeAll(async () => {
  channel = new TestChannel();
  app = await startTestApp({ adapters: () => [channel] });
});
afterAll(async () => {
  await app.close();
});

describe('ingest', () => {
  it('opens a ticket for a customer message and sends one Italian acknowledgement', async () => {
    const from = await newCustomer();
    const outcome = await app.channelContext.ingest(inbound({ from }));
    expect(outcome.status).toBe('new_ticket');
    if (outcome.status !== 'new_ticket') return;
    await app.settle();
    const sent = channel.sentTo(from);
    expect(sent).toHaveLength(1);
    const ack = sent[0]!;
    expect(ack.recipient.address).toBe(from);
    expect(ack.automatic).toBe(true);
    expect(ack.text).toContain(`ticket n. ${outcome.ticketNumber}`);
    expect(ack.text).toContain('entro 2 giorni lavorativi');
    expect(ack.text).toContain('da remoto (dal lunedì al venerdì, 9:00-12:00 e 15:00-18:00).');
    expect(ack.text).toMatch(/30,00\s€ l'ora \+ IVA/);
    expect(ack.text).toContain('copia di sicurezza');
    expect(ack.subject).toBe(`[#${outcome.ticketNumber}] Stampante non funziona`);
    const [ticket] = await app.database.db
      .select()
      .from(tickets)
      .where(eq(tickets.number, outcome.ticketNumber));
    expect(ticket!.status).toBe('open');
    expect(ticket!.firstContactDueAt).toBeInstanceOf(Date);
  });

  it('acknowledges in English for an English customer, with their contract rate', async () => {
    const from = await newCustomer('en', { hourlyRateCents: 4550 });
    const outcome = await app.channelContext.ingest(
      inbound({ from, subject: 'Email <not> working & slow 😀' }),
    );
    await app.settle();
    const sent = channel.sentTo(from);
    expect(outcome.status).toBe('new_ticket');
    const ack = sent.at(-1)!.text;
    expect(ack).toContain('within 2 business days');
    expect(ack).toContain('remotely (Monday to Friday, 9:00-12:00 and 15:00-18:00).');
    expect(ack).toContain('€45.50 per hour + VAT (22%), as in your contract');
    expect(ack).toContain('back up your data');
    expect(sent.at(-1)!.subject).toContain('Email <not> working & slow 😀');
    expect(sent.at(-1)!.html).toContain('&#60;not&#62;');
  });

  it('gives each of many messages arriving together its own outcome, as if stored alone', async () => {
    const a = await newCustomer();
    const b = await newCustomer();
    const firstOfA = inbound({ from: a });
    const batch = [
      firstOfA,
      inbound({ from: b }),
      firstOfA, // delivered twice within the burst
      inbound({ from: 'nobody@example.test' }),
      inbound({ from: b, thread: { forceNew: true } }),
    ];
    const outcomes = await Promise.all(batch.map((message) => app.channelContext.ingest(message)));
    expect(outcomes.map((o) => o.status)).toEqual([
      'new_ticket',
      'new_ticket',
      'duplicate',
      'unmatched',
      'new_ticket',
    ]);
    expect(outcomes[2]!.messageId).toBe(outcomes[0]!.messageId);
    await app.settle();
    expect(channel.sentTo(a)).toHaveLength(1);
    expect(channel.sentTo(b)).toHaveLength(2);
  });

  it('stores a message delivered twice once and acknowledges it once', async () => {
    const from = await newCustomer();
    const message = inbound({ from });
    const first = await app.channelContext.ingest(message);
    const second = await app.channelContext.ingest(message);
    const third = await Promise.all([app.channelContext.ingest(message), app.channelContext.ingest(message)]);
    expect(first.status).toBe('new_ticket');
    expect(second.status).toBe('duplicate');
    expect(third.map((o) => o.status)).toEqual(['duplicate', 'duplicate']);
    const stored = await app.database.db
      .select()
      .from(messages)
      .where(eq(messages.externalId, message.externalId));
    expect(stored).toHaveLength(1);
    await app.settle();
    expect(channel.sentTo(from)).toHaveLength(1);
  });

  it('threads a reply onto the ticket by the message it answers, by reply token and by subject tag', async () => {
    const from = await newCustomer();
    const opened = await app.channelContext.ingest(inbound({ from }));
    if (opened.status !== 'new_ticket') throw new Error('expected a new ticket');
    await app.settle();
    const ack = channel.sentTo(from)[0]!;
    const { rows } = await app.database.sql.query<{ external_id: string }>(
      'select external_id from deliveries where id = $1',
      [ack.deliveryId],
    );
    expect(rows[0]?.external_id).toMatch(/^out-/);

    const byReply = await app.channelContext.ingest(
      inbound({ from, thread: { inReplyTo: [rows[0]!.external_id] } }),
    );
    expect(byReply).toMatchObject({ status: 'threaded', ticketNumber: opened.ticketNumber });

    const token = createReplyToken('test-app-secret-0123456789', opened.ticketNumber);
    const byToken = await app.channelContext.ingest(inbound({ from, thread: { replyTokens: [token] } }));
    expect(byToken).toMatchObject({ status: 'threaded', ticketNumber: opened.ticketNumber });

    const byTag = await app.channelContext.ingest(
      inbound({ from, thread: { ticketNumber: opened.ticketNumber } }),
    );
    expect(byTag).toMatchObject({ status: 'threaded', ticketNumber: opened.ticketNumber });
    // A reply marks the ticket updated (technicians sort by it).
    const [replied] = await app.database.db
      .select()
      .from(tickets)
      .where(eq(tickets.number, opened.ticketNumber));
    expect(replied!.updatedAt.getTime()).toBeGreaterThan(replied!.createdAt.getTime());

    const forged = await app.channelContext.ingest(
      inbound({ from, thread: { replyTokens: [`hd${opened.ticketNumber}xaaaaaaaaaaaaaaaa`] } }),
    );
    expect(forged.status).toBe('new_ticket');
  });

  it('does not let another customer into a ticket with its tag, token or message id', async () => {
    const owner = await newCustomer();
    const intruder = await newCustomer();
    const opened = await app.channelContext.ingest(inbound({ from: owner }));
    if (opened.status !== 'new_ticket') throw new Error('expected a new ticket');
    const token = createReplyToken('test-app-secret-0123456789', opened.ticketNumber);
    const hijack = await app.channelContext.ingest(
      inbound({ from: intruder, thread: { ticketNumber: opened.ticketNumber, replyTokens: [token] } }),
    );
    expect(hijack.status).toBe('new_ticket');
    const stranger = await app.channelContext.ingest(
      inbound({
        from: 'stranger@evil.test',
        thread: { ticketNumber: opened.ticketNumber, replyTokens: [token] },
      }),
    );
    expect(stranger.status).toBe('unmatched');
    const onTicket = await app.database.db
      .select()
      .from(messages)
      .where(eq(messages.ticketId, BigInt(opened.ticketId)));
    expect(onTicket.filter((m) => m.direction === 'inbound')).toHaveLength(1);
  });

  it("keeps a stranger's message as unmatched, answers once in 24 h, and shows it in the API", async () => {
    const first = await app.channelContext.ingest(
      inbound({ from: 'nobody@unknown.test', newText: 'Aiuto <b>&</b>' }),
    );
    const second = await app.channelContext.ingest(inbound({ from: 'nobody@unknown.test' }));
    expect(first.status).toBe('unmatched');
    expect(second.status).toBe('unmatched');
    await app.settle();
    const sent = channel.sentTo('nobody@unknown.test');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toContain('http://localhost:0/register');
    const response = await app.api('/unmatched');
    const body = (await response.json()) as {
      messages: Array<{ newText: string; sender: { address: string } }>;
    };
    expect(
      body.messages.some((m) => m.newText === 'Aiuto <b>&</b>' && m.sender.address === 'nobody@unknown.test'),
    ).toBe(true);
    const raws = await app.database.db.select().from(rawInputs);
    expect(raws.length).toBeGreaterThan(0);
  });

  it('never answers automatic messages and never opens a ticket for them', async () => {
    const from = await newCustomer();
    await app.settle();
    const before = channel.sentTo(from).length;
    const count = await ticketCount();
    const outcome = await app.channelContext.ingest(
      inbound({ from, automated: { kind: 'auto_reply', reason: 'Auto-Submitted: auto-replied' } }),
    );
    const stranger = await app.channelContext.ingest(
      inbound({ from: 'mailer-daemon@x.test', automated: { kind: 'bounce', reason: 'multipart/report' } }),
    );
    expect(outcome.status).toBe('automated');
    expect(stranger.status).toBe('automated');
    await app.settle();
    expect(channel.sentTo(from).length).toBe(before);
    expect(channel.sentTo('mailer-daemon@x.test')).toHaveLength(0);
    expect(await ticketCount()).toBe(count);
  });

  it('reopens a resolved ticket and opens a linked new one after it is closed', async () => {
    const from = await newCustomer();
    const opened = await app.channelContext.ingest(inbound({ from }));
    if (opened.status !== 'new_ticket') throw new Error('expected a new ticket');
    await app.database.transaction(async (tx) => {
      await setStatus(app.core, tx, await getTicketByNumber(tx, opened.ticketNumber), 'resolved', 'test');
    });
    const reply = await app.channelContext.ingest(
      inbound({ from, thread: { ticketNumber: opened.ticketNumber } }),
    );
    expect(reply).toMatchObject({ status: 'threaded', ticketNumber: opened.ticketNumber });
    const reopened = await getTicketByNumber(
      { db: app.database.db, sql: app.database.sql },
      opened.ticketNumber,
    );
    expect(reopened.status).toBe('open');

    await app.database.transaction(async (tx) => {
      await setStatus(app.core, tx, await getTicketByNumber(tx, opened.ticketNumber), 'closed', 'test');
    });
    const after = await app.channelContext.ingest(
      inbound({ from, thread: { ticketNumber: opened.ticketNumber } }),
    );
    expect(after.status).toBe('new_ticket');
    if (after.status !== 'new_ticket') return;
    const linked = await getTicketByNumber(
      { db: app.database.db, sql: app.database.sql },
      after.ticketNumber,
    );
    expect(linked.previousTicketId).toBe(BigInt(opened.ticketId));
  });

  it('refuses a transition the lifecycle does not allow with a typed error', async () => {
    const from = await newCustomer();
    const opened = await app.channelContext.ingest(inbound({ from }));
    if (opened.status !== 'new_ticket') throw new Error('expected a new ticket');
    await app.database.transaction(async (tx) => {
      await setStatus(app.core, tx, await getTicketByNumber(tx, opened.ticketNumber), 'closed', 'test');
    });
    await expect(
      app.database.transaction(async (tx) =>
        setStatus(app.core, tx, await getTicketByNumber(tx, opened.ticketNumber), 'open', 'test'),
      ),
    ).rejects.toMatchObject({ code: 'INVALID_TRANSITION', from: 'closed', to: 'open' });
  });

  it('in a chat with several open tickets, asks which one and keeps the message', async () => {
    const from = await newCustomer();
    const first = await app.channelContext.ingest(inbound({ from, thread: { conversationId: 'chat-1' } }));
    const continued = await app.channelContext.ingest(
      inbound({ from, thread: { conversationId: 'chat-1' } }),
    );
    expect(continued).toMatchObject({ status: 'threaded' });
    const second = await app.channelContext.ingest(
      inbound({ from, thread: { conversationId: 'chat-1', forceNew: true } }),
    );
    expect(first.status).toBe('new_ticket');
    expect(second.status).toBe('new_ticket');
    const ambiguous = await app.channelContext.ingest(
      inbound({ from, thread: { conversationId: 'chat-1' } }),
    );
    expect(ambiguous.status).toBe('awaiting_choice');
    await app.settle();
    const question = channel.sentTo(from).find((m) => m.buttons)!;
    expect(question.text).toContain('più di un ticket aperto');
    expect(question.buttons?.flat().map((b) => b.data)).toHaveLength(2);
  });

  it('sends a technician reply to the customer, not automatic, and records first contact', async () => {
    const from = await newCustomer();
    const opened = await app.channelContext.ingest(inbound({ from }));
    if (opened.status !== 'new_ticket') throw new Error('expected a new ticket');
    await app.settle();
    const before = channel.sentTo(from).length;
    await postTechnicianMessage(app.core, {
      ticketNumber: opened.ticketNumber,
      author: 'Mario',
      text: 'Buongiorno, la chiamo alle 15.',
      internal: false,
    });
    await postTechnicianMessage(app.core, {
      ticketNumber: opened.ticketNumber,
      author: 'Mario',
      text: 'nota interna',
      internal: true,
    });
    await app.settle();
    const sent = channel.sentTo(from);
    expect(sent).toHaveLength(before + 1);
    const texts = sent.slice(before).map((m) => m.text);
    expect(texts).toContain('Buongiorno, la chiamo alle 15.');
    expect(texts).not.toContain('nota interna');
    const reply = sent.slice(before).find((m) => m.text === 'Buongiorno, la chiamo alle 15.')!;
    expect(reply.automatic).toBe(false);
    const ticket = await getTicketByNumber(
      { db: app.database.db, sql: app.database.sql },
      opened.ticketNumber,
    );
    expect(ticket.firstContactAt).toBeInstanceOf(Date);
  });

  it('threads a reply to a later part of a message the channel split', async () => {
    const from = await newCustomer();
    const opened = await app.channelContext.ingest(
      inbound({ from, thread: { conversationId: 'chat-split' } }),
    );
    await app.channelContext.ingest(
      inbound({ from, thread: { conversationId: 'chat-split', forceNew: true } }),
    );
    if (opened.status !== 'new_ticket') throw new Error('expected a new ticket');
    await app.settle();
    await app.database.sql.query(
      `update deliveries set extra_external_ids = '["split-part-2"]'::jsonb
       where message_id in (select id from messages where ticket_id = $1)`,
      [opened.ticketId],
    );
    const reply = await app.channelContext.ingest(
      inbound({ from, thread: { conversationId: 'chat-split', inReplyTo: ['split-part-2'] } }),
    );
    expect(reply).toMatchObject({ status: 'threaded', ticketNumber: opened.ticketNumber });
  });
});
