import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateCustomer, createCustomer } from '../../src/core/customers.js';
import { getTicketByNumber, postTechnicianMessage } from '../../src/core/tickets.js';
import { TIMER_HANDLERS } from '../../src/core/timer-handlers.js';
import { fireDueTimers } from '../../src/core/timers.js';
import { firstContactClocks, staffAlerts, tickets, timers } from '../../src/db/schema.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { inbound, TestChannel } from '../helpers/test-channel.js';
import { createPersistentTestStore, type TestStore } from '../helpers/test-database.js';

/** Rome local times: CET (+01:00) in winter. */
const cet = (date: string, time: string) => new Date(`${date}T${time}:00+01:00`);

let store: TestStore;
let app: TestApp;
let clock = cet('2026-12-01', '16:45');
let customers = 0;
const channel = new TestChannel();

async function start() {
  app = await startTestApp({ store, adapters: () => [channel], now: () => clock, workers: false });
}

async function customer(status: 'active' | 'pending' = 'active') {
  customers++;
  const address = `fc${customers}@example.test`;
  const created = await createCustomer(
    app.core,
    { name: `Cliente ${customers}`, status, identities: [{ kind: 'test', address }] },
    'test',
  );
  return { address, id: created.id };
}

async function openTicket(from: string, arrivedAt: Date): Promise<number> {
  const outcome = await app.channelContext.ingest(inbound({ from, arrivedAt }));
  if (outcome.status !== 'new_ticket') throw new Error(`expected a new ticket, got ${outcome.status}`);
  return outcome.ticketNumber;
}

async function alertsOf(number: number, kind: string) {
  const ticket = await getTicketByNumber(app.core.database, number);
  const rows = await app.database.db.select().from(staffAlerts).where(eq(staffAlerts.ticketId, ticket.id));
  return rows.filter((a) => a.kind === kind);
}

async function timersOf(number: number) {
  const ticket = await getTicketByNumber(app.core.database, number);
  const rows = await app.database.db.select().from(timers).where(eq(timers.ticketId, ticket.id));
  return Object.fromEntries(rows.map((t) => [t.kind, t]));
}

const fire = () => fireDueTimers(app.core, TIMER_HANDLERS);

beforeAll(async () => {
  // A data directory when embedded, so a restart sees the same store.
  store = await createPersistentTestStore('first-contact-');
  await start();
});
afterAll(async () => {
  await app.close();
  await store.drop();
});

describe('first-contact deadline, reminders and breach (T2)', () => {
  it('counts 12 business hours from the arrival, schedules its timers, reminds once across a restart, then breaches', async () => {
    clock = cet('2026-11-02', '10:00');
    const { address } = await customer(); // activated a month ago
    clock = cet('2026-12-01', '16:45'); // processed a quarter of an hour after it reached the mailbox
    const number = await openTicket(address, cet('2026-12-01', '16:30'));
    const ticket = await getTicketByNumber(app.core.database, number);
    expect(ticket.firstContactDueAt).toEqual(cet('2026-12-03', '16:30')); // Tuesday 16:30 → Thursday 16:30
    const scheduled = await timersOf(number);
    expect(scheduled['first_contact.reminder_day']!.dueAt).toEqual(cet('2026-12-02', '16:30'));
    expect(scheduled['first_contact.reminder_hours']!.dueAt).toEqual(cet('2026-12-03', '11:30'));
    expect(scheduled['first_contact.breach']!.dueAt).toEqual(cet('2026-12-03', '16:30'));
    // Each timer has its pg-boss job, waiting for its time.
    const { rows: jobs } = await app.database.sql.query<{ singleton_key: string; start_after: Date }>(
      "select singleton_key, start_after from pgboss.job where name = 'timer' and singleton_key like '%:' || $1",
      [ticket.id.toString()],
    );
    expect(
      jobs.map((j) => [j.singleton_key.split(':')[0], new Date(j.start_after).toISOString()]).sort(),
    ).toEqual(
      [
        ['first_contact.breach', cet('2026-12-03', '16:30').toISOString()],
        ['first_contact.reminder_day', cet('2026-12-02', '16:30').toISOString()],
        ['first_contact.reminder_hours', cet('2026-12-03', '11:30').toISOString()],
      ].sort(),
    );

    clock = cet('2026-12-02', '16:29');
    await fire();
    expect(await alertsOf(number, 'first_contact_reminder')).toHaveLength(0);
    clock = cet('2026-12-02', '16:31');
    await fire();
    await fire();
    const reminders = await alertsOf(number, 'first_contact_reminder');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.text).toContain(`Ticket #${number}`);
    expect(reminders[0]!.text).toContain('manca 1 giorno lavorativo');

    // A restart: the same store, the timers are still there and fire no second time.
    await app.stop();
    await start();
    await fire();
    expect(await alertsOf(number, 'first_contact_reminder')).toHaveLength(1);

    clock = cet('2026-12-03', '11:30');
    await fire();
    expect(await alertsOf(number, 'first_contact_reminder')).toHaveLength(2);
    clock = cet('2026-12-03', '16:30');
    await fire();
    const breach = await alertsOf(number, 'first_contact_breach');
    expect(breach).toHaveLength(1);
    expect(breach[0]!.text).toContain('termine di primo contatto scaduto');
    const [marked] = await app.database.db
      .select()
      .from(firstContactClocks)
      .where(eq(firstContactClocks.ticketId, ticket.id));
    expect(marked!.breachedAt).toEqual(cet('2026-12-03', '16:30'));
    await fire();
    expect(await alertsOf(number, 'first_contact_breach')).toHaveLength(1);
  });

  it('a technician reply meets it: no reminder, no breach', async () => {
    clock = cet('2026-11-27', '17:30'); // Friday 17:30 → Tuesday 17:30
    const { address } = await customer();
    const number = await openTicket(address, clock);
    expect((await getTicketByNumber(app.core.database, number)).firstContactDueAt).toEqual(
      cet('2026-12-01', '17:30'),
    );
    clock = cet('2026-11-30', '10:00');
    const ticket = await getTicketByNumber(app.core.database, number);
    await postTechnicianMessage(app.core, {
      ticketNumber: ticket.number,
      text: 'La chiamo oggi pomeriggio.',
      internal: false,
      author: 'Marco',
    });
    clock = cet('2026-12-01', '18:00');
    await fire();
    expect(await alertsOf(number, 'first_contact_reminder')).toHaveLength(0);
    expect(await alertsOf(number, 'first_contact_breach')).toHaveLength(0);
    expect((await timersOf(number))['first_contact.breach']!.outcome).toBe('met');
  });

  it('a reminder due while the business was closed waits for the next opening', async () => {
    clock = cet('2026-11-30', '11:30'); // Monday 11:30 → Wednesday 11:30; reminders Tue 11:30, Wed 09:30
    const { address } = await customer();
    const number = await openTicket(address, clock);
    expect((await timersOf(number))['first_contact.reminder_day']!.dueAt).toEqual(cet('2026-12-01', '11:30'));
    clock = cet('2026-12-01', '19:00'); // the process was down through the afternoon
    await fire();
    expect(await alertsOf(number, 'first_contact_reminder')).toHaveLength(0);
    expect((await timersOf(number))['first_contact.reminder_day']!.dueAt).toEqual(cet('2026-12-02', '09:00'));
    clock = cet('2026-12-02', '09:00');
    await fire();
    expect(await alertsOf(number, 'first_contact_reminder')).toHaveLength(1);
  });

  it('a closure added at run time moves the deadline and its timers; removing it moves them back', async () => {
    clock = cet('2026-12-14', '16:30'); // Monday → Wednesday 16:30
    const { address } = await customer();
    const number = await openTicket(address, clock);
    const added = await app.api('/closures', { body: { date: '2026-12-15', reason: 'inventario' } });
    expect(added.status).toBe(201);
    expect(((await added.json()) as { moved: number }).moved).toBeGreaterThanOrEqual(1);
    const ticket = await getTicketByNumber(app.core.database, number);
    expect(ticket.firstContactDueAt).toEqual(cet('2026-12-17', '16:30'));
    expect((await timersOf(number))['first_contact.breach']!.dueAt).toEqual(cet('2026-12-17', '16:30'));
    const { rows } = await app.database.sql.query<{ start_after: Date }>(
      "select start_after from pgboss.job where name = 'timer' and singleton_key = $1 and state = 'created'",
      [`first_contact.breach:${ticket.id}`],
    );
    expect(rows.map((r) => new Date(r.start_after).toISOString())).toEqual([
      cet('2026-12-17', '16:30').toISOString(),
    ]);

    const list = (await (await app.api('/closures')).json()) as {
      closures: Array<{ date: string; source: string }>;
    };
    expect(list.closures).toContainEqual(expect.objectContaining({ date: '2026-12-15', source: 'staff' }));
    expect((await app.api('/closures', { body: { date: '2026-12-15' } })).status).toBe(409);
    expect((await app.api('/closures', { body: { date: '2026-02-30' } })).status).toBe(400);

    expect((await app.api('/closures/2026-12-15', { method: 'DELETE' })).status).toBe(200);
    expect((await getTicketByNumber(app.core.database, number)).firstContactDueAt).toEqual(
      cet('2026-12-16', '16:30'),
    );
    expect((await app.api('/closures/2026-12-15', { method: 'DELETE' })).status).toBe(404);
  });

  it('for a pending customer the clock starts at activation, not at the arrival', async () => {
    clock = cet('2026-12-01', '10:00');
    const { address, id } = await customer('pending');
    const number = await openTicket(address, clock);
    expect((await getTicketByNumber(app.core.database, number)).firstContactDueAt).toBeNull();
    clock = cet('2026-12-02', '17:00'); // activated Wednesday 17:00 → Friday 17:00
    await activateCustomer(app.core, id, 'test');
    expect((await getTicketByNumber(app.core.database, number)).firstContactDueAt).toEqual(
      cet('2026-12-04', '17:00'),
    );
    expect((await timersOf(number))['first_contact.breach']!.dueAt).toEqual(cet('2026-12-04', '17:00'));
  });

  it('a message that reached us on a holiday counts from the next opening', async () => {
    clock = cet('2026-12-07', '10:00');
    const { address } = await customer();
    clock = cet('2026-12-08', '10:05'); // 8 December: holiday
    const number = await openTicket(address, cet('2026-12-08', '10:00'));
    const [row] = await app.database.db.select().from(tickets).where(eq(tickets.number, number));
    expect(row!.firstContactDueAt).toEqual(cet('2026-12-10', '18:00'));
  });
});

describe('activation deadline (T1, clock hours)', () => {
  it('reminds at 24 h and alerts at 48 h while pending, and says nothing once active', async () => {
    clock = new Date('2026-12-05T10:00:00Z'); // a Saturday: clock hours, not business hours
    const late = await customer('pending');
    const quick = await customer('pending');
    clock = new Date('2026-12-06T10:00:00Z');
    await fire();
    const alerts = async (kind: string) =>
      (await app.database.db.select().from(staffAlerts).where(eq(staffAlerts.kind, kind))).filter((a) =>
        [late.id, quick.id].some((id) => (a.data as { customerId?: string }).customerId === id.toString()),
      );
    expect(await alerts('activation_reminder')).toHaveLength(2);
    await activateCustomer(app.core, quick.id, 'test');
    clock = new Date('2026-12-07T09:59:00Z');
    await fire();
    expect(await alerts('activation_overdue')).toHaveLength(0);
    clock = new Date('2026-12-07T10:00:00Z');
    await fire();
    await fire();
    const overdue = await alerts('activation_overdue');
    expect(overdue).toHaveLength(1);
    expect(overdue[0]!.text).toContain(`Cliente ${customers - 1}`);
  });
});
