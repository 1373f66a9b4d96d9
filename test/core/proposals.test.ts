import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../src/core/customers.js';
import { bookSlot } from '../../src/core/proposals.js';
import { getTicketByNumber } from '../../src/core/tickets.js';
import { appointments, offeredSlots, slotOffers } from '../../src/db/schema.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { inbound, TestChannel } from '../helpers/test-channel.js';

const cet = (date: string, time: string) => new Date(`${date}T${time}:00+01:00`);

let app: TestApp;
let clock = cet('2026-11-02', '10:00');
let customers = 0;
const channel = new TestChannel();

async function ticketFor(): Promise<{ number: number; address: string }> {
  customers++;
  const address = `slots${customers}@example.test`;
  await createCustomer(
    app.core,
    { name: `Cliente ${customers}`, status: 'active', identities: [{ kind: 'test', address }] },
    'test',
  );
  const outcome = await app.channelContext.ingest(inbound({ from: address }));
  if (outcome.status !== 'new_ticket') throw new Error(outcome.status);
  return { number: outcome.ticketNumber, address };
}

type OfferBody = {
  offerId: string;
  expiresAt: string;
  slots: Array<{ number: number; start: string; end: string }>;
};

async function propose(number: number, body: Record<string, unknown> = {}): Promise<OfferBody> {
  const res = await app.api(`/tickets/${number}/proposals`, { body: { technician: 'marco', ...body } });
  expect(res.status).toBe(201);
  return (await res.json()) as OfferBody;
}

beforeAll(async () => {
  app = await startTestApp({ adapters: () => [channel], now: () => clock });
});
afterAll(async () => {
  await app.close();
});

describe('slot proposals and booking', () => {
  it('sends numbered slots in Italian with buttons, meets first contact, and a pick books it', async () => {
    clock = cet('2026-12-01', '10:00');
    const { number, address } = await ticketFor();
    const offer = await propose(number);
    expect(offer.slots.map((s) => s.start)).toEqual([
      cet('2026-12-01', '15:00').toISOString(),
      cet('2026-12-02', '09:00').toISOString(),
      cet('2026-12-02', '15:00').toISOString(),
    ]);
    expect(offer.expiresAt).toBe(cet('2026-12-03', '10:00').toISOString()); // 2 business days
    await app.settle();
    const sent = channel.sentTo(address).at(-1)!;
    expect(sent.text).toContain('1) martedì 1 dicembre, 15:00–16:00');
    expect(sent.text).toContain('3) mercoledì 2 dicembre, 15:00–16:00');
    expect(sent.buttons?.[0]?.map((b) => b.label)).toEqual(['1', '2', '3']);
    const ticket = await getTicketByNumber(app.core.database, number);
    expect(ticket.firstContactAt).toEqual(clock);
    expect(ticket.status).toBe('waiting_customer');

    const res = await app.api(`/tickets/${number}/bookings`, { body: { number: 2 } });
    expect(((await res.json()) as { status: string }).status).toBe('booked');
    expect((await getTicketByNumber(app.core.database, number)).status).toBe('scheduled');
    await app.settle();
    expect(channel.sentTo(address).at(-1)!.text).toContain(
      'Appuntamento confermato: mercoledì 2 dicembre, 09:00–10:00',
    );
  });

  it('does not offer a slot offered to another customer or booked with the same technician', async () => {
    clock = cet('2026-12-07', '10:00');
    const first = await ticketFor();
    const second = await ticketFor();
    const a = await propose(first.number);
    const b = await propose(second.number);
    const taken = new Set(a.slots.map((s) => s.start));
    expect(b.slots.some((s) => taken.has(s.start))).toBe(false);
    // Another technician is free at the same times.
    const c = await propose(second.number, { technician: 'luca' });
    expect(c.slots[0]!.start).toBe(a.slots[0]!.start);
  });

  it('two customers taking one slot at once: the store decides, the other gets fresh proposals', async () => {
    clock = cet('2026-12-14', '10:00');
    const first = await ticketFor();
    const second = await ticketFor();
    await propose(first.number);
    await propose(second.number);
    // Make slot 1 of both offers the same start (as offers made before a booking moved would be).
    const t1 = await getTicketByNumber(app.core.database, first.number);
    const t2 = await getTicketByNumber(app.core.database, second.number);
    const [o1] = await app.database.db.select().from(slotOffers).where(eq(slotOffers.ticketId, t1.id));
    const [o2] = await app.database.db.select().from(slotOffers).where(eq(slotOffers.ticketId, t2.id));
    const [s1] = await app.database.db.select().from(offeredSlots).where(eq(offeredSlots.offerId, o1!.id));
    await app.database.db
      .update(offeredSlots)
      .set({ startAt: s1!.startAt, endAt: s1!.endAt })
      .where(eq(offeredSlots.offerId, o2!.id));
    const results = await Promise.all([
      bookSlot(app.core, t1.id, 1, 'test'),
      bookSlot(app.core, t2.id, 1, 'test'),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['booked', 'taken']);
    const loser = results.find((r) => r.status === 'taken');
    if (loser?.status !== 'taken') throw new Error('no loser');
    expect(loser.fresh.slots.length).toBe(3);
    expect(loser.fresh.slots.some((s) => s.start.getTime() === s1!.startAt.getTime())).toBe(false);
    const booked = await app.database.db
      .select()
      .from(appointments)
      .where(eq(appointments.startAt, s1!.startAt));
    expect(booked.filter((x) => x.status === 'booked')).toHaveLength(1);
  });

  it('an offer expires after 2 business days', async () => {
    clock = cet('2026-12-18', '16:00'); // Friday
    const { number } = await ticketFor();
    const offer = await propose(number);
    expect(offer.expiresAt).toBe(cet('2026-12-22', '16:00').toISOString()); // Tuesday
    clock = cet('2026-12-22', '16:00');
    const res = await app.api(`/tickets/${number}/bookings`, { body: { number: 1 } });
    expect(((await res.json()) as { status: string }).status).toBe('expired');
  });
});
