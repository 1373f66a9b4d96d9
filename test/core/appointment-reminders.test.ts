import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayBeforeReminderAt } from '../../src/core/appointment-reminders.js';
import { DEFAULT_BUSINESS_CALENDAR } from '../../src/core/business-calendar.js';
import { createCustomer } from '../../src/core/customers.js';
import { TIMER_HANDLERS } from '../../src/core/timer-handlers.js';
import { fireDueTimers } from '../../src/core/timers.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { inbound, TestChannel } from '../helpers/test-channel.js';

const cet = (date: string, time: string) => new Date(`${date}T${time}:00+01:00`);

let app: TestApp;
let clock = cet('2026-11-30', '10:00');
const channel = new TestChannel();
const fire = () => fireDueTimers(app.core, TIMER_HANDLERS);

beforeAll(async () => {
  app = await startTestApp({ adapters: () => [channel], now: () => clock });
});
afterAll(async () => {
  await app.close();
});

async function bookedTicket(address: string, slot: number) {
  await createCustomer(
    app.core,
    { name: 'Cliente promemoria', status: 'active', identities: [{ kind: 'test', address }] },
    'test',
  );
  const opened = await app.channelContext.ingest(inbound({ from: address }));
  if (opened.status !== 'new_ticket') throw new Error(opened.status);
  const offer = await app.api(`/tickets/${opened.ticketNumber}/proposals`, {
    body: { technician: 'marco', count: 5 },
  });
  expect(offer.status).toBe(201);
  const res = await app.api(`/tickets/${opened.ticketNumber}/bookings`, { body: { number: slot } });
  const booked = (await res.json()) as { status: string; appointmentId: string };
  expect(booked.status).toBe('booked');
  await app.settle();
  return { number: opened.ticketNumber, appointmentId: booked.appointmentId };
}

const reminders = (address: string) => channel.sentTo(address).filter((m) => m.text.startsWith('Promemoria'));

describe('appointment reminders to the customer', () => {
  it('the day-before reminder is at the first opening of the previous business day, skipping holidays', () => {
    // Wednesday 9 December 2026: the 8th is a public holiday (Immacolata), so Monday the 7th.
    expect(dayBeforeReminderAt(cet('2026-12-09', '09:00'), DEFAULT_BUSINESS_CALENDAR)).toEqual(
      cet('2026-12-07', '09:00'),
    );
    expect(dayBeforeReminderAt(cet('2026-12-07', '15:00'), DEFAULT_BUSINESS_CALENDAR)).toEqual(
      cet('2026-12-04', '09:00'),
    );
  });

  it('reminds the business day before and one hour before, once each', async () => {
    clock = cet('2026-11-30', '10:00'); // Monday
    const address = 'reminded@example.test';
    await bookedTicket(address, 4); // Wednesday 2 December, 09:00
    clock = cet('2026-12-01', '08:59');
    await fire();
    await app.settle();
    expect(reminders(address)).toHaveLength(0);
    clock = cet('2026-12-01', '09:00');
    await fire();
    await app.settle();
    expect(reminders(address).map((m) => m.text)).toEqual([
      'Promemoria: appuntamento da remoto mercoledì 2 dicembre, 09:00–10:00. Per annullarlo risponda "annulla", per spostarlo "sposta".',
    ]);
    clock = cet('2026-12-02', '08:00');
    await fire();
    await fire();
    await app.settle();
    expect(reminders(address)).toHaveLength(2);
  });

  it('a cancelled appointment is not reminded', async () => {
    clock = cet('2026-12-14', '10:00'); // Monday
    const address = 'cancelled-reminder@example.test';
    const { appointmentId } = await bookedTicket(address, 4); // Wednesday 16 December, 09:00
    await app.api(`/appointments/${appointmentId}`, { method: 'DELETE' });
    clock = cet('2026-12-16', '08:30');
    await fire();
    await app.settle();
    expect(reminders(address)).toHaveLength(0);
  });

  it('a closure added after booking moves the day-before reminder, and staff hear of an appointment on a closed day once', async () => {
    clock = cet('2027-01-11', '10:00'); // Monday
    const address = 'closure-reminder@example.test';
    const { number } = await bookedTicket(address, 4); // Wednesday 13 January 2027, 09:00
    // The day before (Tuesday) is closed after the booking: the reminder comes on Monday instead.
    expect((await app.api('/closures', { body: { date: '2027-01-12', reason: 'inventario' } })).status).toBe(
      201,
    );
    clock = cet('2027-01-11', '15:00');
    await fire();
    await app.settle();
    expect(reminders(address).map((m) => m.text)).toEqual([
      'Promemoria: appuntamento da remoto mercoledì 13 gennaio, 09:00–10:00. Per annullarlo risponda "annulla", per spostarlo "sposta".',
    ]);
    const outsideHours = async () =>
      (
        (await (await app.api('/alerts')).json()) as { alerts: { kind: string; text: string }[] }
      ).alerts.filter((a) => a.kind === 'appointment_outside_hours' && a.text.includes(`#${number}`));
    expect(await outsideHours()).toEqual([]);
    // Then the appointment's own day is closed: staff are told once, not again at the next change.
    expect((await app.api('/closures', { body: { date: '2027-01-13' } })).status).toBe(201);
    expect((await app.api('/closures', { body: { date: '2027-01-14' } })).status).toBe(201);
    const alerts = await outsideHours();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.text).toContain('mercoledì 13 gennaio, 09:00–10:00');
  });
});
