import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTicketChoice } from '../../src/core/chat-operations.js';
import { createCustomer } from '../../src/core/customers.js';
import { getTicketByNumber, reopenOrFollowUp, setStatus } from '../../src/core/tickets.js';
import { auditLog, messages, tickets } from '../../src/db/schema.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { inbound, TestChannel } from '../helpers/test-channel.js';

/**
 * Ticket changes are serialised per ticket (`SELECT … FOR UPDATE`). On a PostgreSQL server
 * (DATABASE_URL) the two transactions below really run at once on two connections; on the
 * embedded store they queue, and the outcome must be the same.
 */
let app: TestApp;
let channel: TestChannel;
let n = 0;

beforeAll(async () => {
  channel = new TestChannel();
  app = await startTestApp({ adapters: () => [channel] });
});
afterAll(async () => {
  await app?.close();
});

async function customer(): Promise<string> {
  n++;
  const address = `race${n}@example.test`;
  await createCustomer(
    app.core,
    { name: `R${n}`, status: 'active', identities: [{ kind: 'test', address }] },
    'test',
  );
  return address;
}

async function ticketOf(number: number) {
  return app.database.transaction((tx) => getTicketByNumber(tx, number));
}

async function statusChanges(ticketId: bigint) {
  const rows = await app.database.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.ticketId, ticketId), eq(auditLog.action, 'ticket.status')))
    .orderBy(asc(auditLog.id));
  return rows.map((row) => row.data as { from: string; to: string });
}

describe('concurrent ticket changes', () => {
  it('a technician closing while a customer reply reopens: the reply sees the ticket closed', async () => {
    const from = await customer();
    const opened = await app.channelContext.ingest(inbound({ from }));
    const number = opened.status === 'new_ticket' ? opened.ticketNumber : 0;
    await app.database.transaction(async (tx) =>
      setStatus(app.core, tx, await getTicketByNumber(tx, number), 'resolved', 'test'),
    );
    // Both read the ticket as resolved before either changes it.
    const stale = await ticketOf(number);
    let locked!: () => void;
    const closing = new Promise<void>((resolve) => {
      locked = resolve;
    });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const technician = app.database.transaction(async (tx) => {
      await setStatus(app.core, tx, stale, 'closed', 'technician:anna');
      locked();
      await gate;
    });
    await closing;
    const customerReply = app.database.transaction((tx) =>
      reopenOrFollowUp(app.core, tx, stale, `test:${from}`),
    );
    setTimeout(release, 200);
    const [, needsNewTicket] = await Promise.all([technician, customerReply]);
    expect(needsNewTicket).toBe(true);
    expect((await ticketOf(number)).status).toBe('closed');
    expect(await statusChanges(stale.id)).toEqual([
      { from: 'open', to: 'resolved' },
      { from: 'resolved', to: 'closed' },
    ]);
  });

  it('two technicians at once through the API: each change starts from the state the other left', async () => {
    const from = await customer();
    const opened = await app.channelContext.ingest(inbound({ from }));
    const number = opened.status === 'new_ticket' ? opened.ticketNumber : 0;
    const change = (status: string, author: string) =>
      app.api(`/tickets/${number}/status`, { body: { status, author } });
    const responses = await Promise.all([change('closed', 'anna'), change('waiting_customer', 'bruno')]);
    const codes = responses.map((r) => r.status).sort();
    const changes = await statusChanges((await ticketOf(number)).id);
    // Either order is fine; what may not happen is a change judged on a state already gone.
    for (let i = 1; i < changes.length; i++) expect(changes[i]!.from).toBe(changes[i - 1]!.to);
    expect(changes[0]!.from).toBe('open');
    expect((await ticketOf(number)).status).toBe(changes.at(-1)!.to);
    if (changes.length === 1) {
      expect(changes[0]!.to).toBe('closed');
      expect(codes).toEqual([200, 409]);
    } else {
      expect(changes.map((c) => c.to)).toEqual(['waiting_customer', 'closed']);
      expect(codes).toEqual([200, 200]);
    }
  });
});

describe('ticket-choice button', () => {
  it('pressed after the ticket was closed: files the held message on a new ticket linking it', async () => {
    const from = await customer();
    const first = await app.channelContext.ingest(inbound({ from, thread: { conversationId: 'c-1' } }));
    await app.channelContext.ingest(inbound({ from, thread: { conversationId: 'c-1', forceNew: true } }));
    const held = await app.channelContext.ingest(
      inbound({
        from,
        thread: { conversationId: 'c-1' },
        newText: 'Ancora niente',
        fullText: 'Ancora niente',
      }),
    );
    expect(held.status).toBe('awaiting_choice');
    const number = first.status === 'new_ticket' ? first.ticketNumber : 0;
    await app.database.transaction(async (tx) =>
      setStatus(app.core, tx, await getTicketByNumber(tx, number), 'closed', 'technician:anna'),
    );
    const outcome = await resolveTicketChoice(app.core, 'test', { kind: 'test', address: from }, number);
    if (outcome?.status !== 'threaded') throw new Error(`expected threaded, got ${outcome?.status}`);
    expect(outcome.ticketNumber).not.toBe(number);
    const closed = await ticketOf(number);
    expect(closed.status).toBe('closed');
    const [newTicket] = await app.database.db
      .select()
      .from(tickets)
      .where(eq(tickets.number, outcome.ticketNumber));
    expect(newTicket!.previousTicketId).toBe(closed.id);
    const [filed] = await app.database.db
      .select()
      .from(messages)
      .where(eq(messages.id, BigInt(held.status === 'awaiting_choice' ? held.messageId : '0')));
    expect(filed!.ticketId).toBe(newTicket!.id);
    // Pressed again: nothing is held any more, nothing changes.
    expect(
      await resolveTicketChoice(app.core, 'test', { kind: 'test', address: from }, number),
    ).toBeUndefined();
  });

  it('pressed on a resolved ticket: reopens it and files the message there', async () => {
    const from = await customer();
    const first = await app.channelContext.ingest(inbound({ from, thread: { conversationId: 'c-2' } }));
    await app.channelContext.ingest(inbound({ from, thread: { conversationId: 'c-2', forceNew: true } }));
    const held = await app.channelContext.ingest(inbound({ from, thread: { conversationId: 'c-2' } }));
    expect(held.status).toBe('awaiting_choice');
    const number = first.status === 'new_ticket' ? first.ticketNumber : 0;
    await app.database.transaction(async (tx) =>
      setStatus(app.core, tx, await getTicketByNumber(tx, number), 'resolved', 'technician:anna'),
    );
    const outcome = await resolveTicketChoice(app.core, 'test', { kind: 'test', address: from }, number);
    expect(outcome).toMatchObject({ status: 'threaded', ticketNumber: number });
    expect((await ticketOf(number)).status).toBe('open');
  });
});
