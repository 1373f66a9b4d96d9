import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../src/core/customers.js';
import { interpretSlotAnswer, pressSlotButton } from '../../src/core/slot-answers.js';
import { getTicketByNumber } from '../../src/core/tickets.js';
import { appointments, slotOffers, staffAlerts } from '../../src/db/schema.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { inbound, TestChannel } from '../helpers/test-channel.js';

const cet = (date: string, time: string) => new Date(`${date}T${time}:00+01:00`);

let app: TestApp;
let clock = cet('2026-12-01', '10:00');
let customers = 0;
const channel = new TestChannel();

async function ticketWithOffer(): Promise<{
  number: number;
  address: string;
  offerId: string;
  ticketId: bigint;
}> {
  customers++;
  const address = `answers${customers}@example.test`;
  await createCustomer(
    app.core,
    { name: `Cliente ${customers}`, status: 'active', identities: [{ kind: 'test', address }] },
    'test',
  );
  const outcome = await app.channelContext.ingest(inbound({ from: address }));
  if (outcome.status !== 'new_ticket') throw new Error(outcome.status);
  const res = await app.api(`/tickets/${outcome.ticketNumber}/proposals`, { body: { technician: 'marco' } });
  expect(res.status).toBe(201);
  const { offerId } = (await res.json()) as { offerId: string };
  await app.settle();
  return { number: outcome.ticketNumber, address, offerId, ticketId: BigInt(outcome.ticketId) };
}

/** A reply in the thread of the last message the customer got. */
async function reply(from: string, text: string) {
  const { rows } = await app.database.sql.query<{ external_id: string }>(
    'select external_id from deliveries where id = $1',
    [channel.sentTo(from).at(-1)!.deliveryId],
  );
  const outcome = await app.channelContext.ingest(
    inbound({ from, newText: text, fullText: text, thread: { inReplyTo: [rows[0]!.external_id] } }),
  );
  expect(outcome.status).toBe('threaded');
}

async function alertsOf(ticketId: bigint, kind: string) {
  return (
    await app.core.database.db.select().from(staffAlerts).where(eq(staffAlerts.ticketId, ticketId))
  ).filter((a) => a.kind === kind);
}

beforeAll(async () => {
  app = await startTestApp({ adapters: () => [channel], now: () => clock });
});
afterAll(async () => {
  await app.close();
});

describe('the customer answers a slot offer in the chat', () => {
  it('reads numbers and "none" in both languages, and nothing else', () => {
    for (const text of ['2', '2.', ' il 2 ', 'option 2', 'Opzione 2', 'n. 2', '2)'])
      expect(interpretSlotAnswer(text)).toEqual({ kind: 'pick', number: 2 });
    for (const text of ['nessuno', 'Nessuno.', 'none', 'NONE!'])
      expect(interpretSlotAnswer(text)).toEqual({ kind: 'none' });
    for (const text of ['2 stampanti rotte', 'grazie', 'il 2 dicembre va bene?', ''])
      expect(interpretSlotAnswer(text)).toBeUndefined();
  });

  it('"il 2" books slot 2: the ticket is scheduled and the customer gets the confirmation', async () => {
    clock = cet('2026-12-01', '10:00');
    const { number, address, ticketId } = await ticketWithOffer();
    await reply(address, 'il 2');
    await app.settle();
    const [appointment] = await app.core.database.db
      .select()
      .from(appointments)
      .where(eq(appointments.ticketId, ticketId));
    expect(appointment?.startAt).toEqual(cet('2026-12-02', '09:00'));
    expect((await getTicketByNumber(app.core.database, number)).status).toBe('scheduled');
    expect(channel.sentTo(address).at(-1)!.text).toContain(
      'Appuntamento confermato: mercoledì 2 dicembre, 09:00–10:00',
    );
  });

  it('"nessuno" declines the offer and tells the technician to propose new slots', async () => {
    clock = cet('2026-12-07', '10:00');
    const { address, ticketId } = await ticketWithOffer();
    await reply(address, 'Nessuno');
    await app.settle();
    const [alert] = await alertsOf(ticketId, 'slots_declined');
    expect(alert?.text).toContain('proporne di nuovi');
    const [offer] = await app.core.database.db
      .select()
      .from(slotOffers)
      .where(eq(slotOffers.ticketId, ticketId));
    expect(offer?.status).toBe('declined');
    expect(
      await app.core.database.db.select().from(appointments).where(eq(appointments.ticketId, ticketId)),
    ).toEqual([]);
  });

  it('an answer to an expired offer gets the expiry and alerts the technician; nothing is booked', async () => {
    clock = cet('2026-12-09', '10:00');
    const { address, ticketId } = await ticketWithOffer();
    clock = cet('2026-12-14', '10:00'); // past the 2 business days
    await reply(address, '1');
    await app.settle();
    expect(channel.sentTo(address).at(-1)!.text).toContain(
      'Gli orari proposti sono scaduti il venerdì 11 dicembre 2026',
    );
    expect(await alertsOf(ticketId, 'slots_expired')).toHaveLength(1);
    expect(
      await app.core.database.db.select().from(appointments).where(eq(appointments.ticketId, ticketId)),
    ).toEqual([]);
  });

  it('a slot button books only for the ticket customer', async () => {
    clock = cet('2026-12-15', '10:00');
    const mine = await ticketWithOffer();
    const other = await ticketWithOffer();
    const otherCustomer = (await getTicketByNumber(app.core.database, other.number)).customerId;
    const ownerCustomer = (await getTicketByNumber(app.core.database, mine.number)).customerId;
    expect(await pressSlotButton(app.core, otherCustomer, `slot:${mine.offerId}:1`, 'test:intruder')).toEqual(
      {
        status: 'not_yours',
      },
    );
    const result = await pressSlotButton(app.core, ownerCustomer, `slot:${mine.offerId}:1`, 'test:owner');
    expect(result?.status).toBe('booked');
    expect((await getTicketByNumber(app.core.database, mine.number)).status).toBe('scheduled');
  });

  it('"annulla" cancels the appointment and "sposta" cancels it and sends fresh slots; the ticket is open again', async () => {
    clock = cet('2026-12-16', '10:00');
    const first = await ticketWithOffer();
    await reply(first.address, '1');
    await app.settle();
    expect((await getTicketByNumber(app.core.database, first.number)).status).toBe('scheduled');
    await reply(first.address, 'annulla');
    await app.settle();
    expect(channel.sentTo(first.address).at(-1)!.text).toContain(
      "L'appuntamento di mercoledì 16 dicembre, 15:00–16:00 è annullato.",
    );
    expect((await getTicketByNumber(app.core.database, first.number)).status).toBe('open');
    const [cancelled] = await app.core.database.db
      .select()
      .from(appointments)
      .where(eq(appointments.ticketId, first.ticketId));
    expect(cancelled).toMatchObject({ status: 'cancelled', sequence: 1 });
    expect(await alertsOf(first.ticketId, 'appointment_cancelled')).toHaveLength(1);

    const second = await ticketWithOffer();
    await reply(second.address, '2');
    await app.settle();
    await reply(second.address, 'Sposta');
    await app.settle();
    const texts = channel.sentTo(second.address).map((m) => m.text);
    expect(texts.at(-2)).toContain('è annullato: le proponiamo subito nuovi orari.');
    expect(texts.at(-1)).toContain('Risponda con il numero scelto');
    expect(await alertsOf(second.ticketId, 'appointment_moved')).toHaveLength(1);
    // The fresh offer is open: "1" books again.
    await reply(second.address, '1');
    await app.settle();
    expect((await getTicketByNumber(app.core.database, second.number)).status).toBe('scheduled');
  });
});
