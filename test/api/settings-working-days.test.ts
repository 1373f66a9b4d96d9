import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../src/core/customers.js';
import { getTicketByNumber } from '../../src/core/tickets.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { inbound, TestChannel } from '../helpers/test-channel.js';

/**
 * The working week as a setting (#25): `workingDays` and `weekdayHours` through GET/PUT
 * /api/v1/settings, effective without a restart for first-contact deadlines, slot proposals and
 * the hours told in acknowledgements. The dashboard's form posts to the same core function
 * (test/web/staff/staff-settings-browser.test.ts drives it in a browser).
 */

/** Rome local times: CET (+01:00) in winter. */
const cet = (date: string, time: string) => new Date(`${date}T${time}:00+01:00`);

let app: TestApp;
let clock = cet('2026-12-01', '16:30'); // a Tuesday
let n = 0;
const channel = new TestChannel();

async function openTicket(at: Date): Promise<number> {
  n++;
  const address = `settimana${n}@example.test`;
  await createCustomer(
    app.core,
    { name: `Cliente ${n}`, status: 'active', identities: [{ kind: 'test', address }] },
    'test',
  );
  const outcome = await app.channelContext.ingest(inbound({ from: address, arrivedAt: at }));
  if (outcome.status !== 'new_ticket') throw new Error(`expected a new ticket, got ${outcome.status}`);
  return outcome.ticketNumber;
}
const dueOf = async (number: number) =>
  (await getTicketByNumber(app.core.database, number)).firstContactDueAt;
const put = (body: unknown) => app.api('/settings', { method: 'PUT', body });

beforeAll(async () => {
  app = await startTestApp({ adapters: () => [channel], now: () => clock });
});
afterAll(async () => {
  await app.close();
});

describe('working days in the settings', () => {
  it('answers Monday to Friday with no day of its own hours by default', async () => {
    const body = (await (await app.api('/settings')).json()) as {
      values: { workingDays: number[]; weekdayHours: Record<string, string> };
      defaults: { workingDays: number[] };
    };
    expect(body.values.workingDays).toEqual([1, 2, 3, 4, 5]);
    expect(body.values.weekdayHours).toEqual({});
    expect(body.defaults.workingDays).toEqual([1, 2, 3, 4, 5]);
  });

  it('drops Wednesday: a new deadline skips it, a running one moves, the acknowledgement says so', async () => {
    const running = await openTicket(cet('2026-12-01', '16:30'));
    expect(await dueOf(running)).toEqual(cet('2026-12-03', '16:30')); // Tuesday → Thursday
    const answer = await put({ workingDays: [5, 4, 2, 1] });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as {
      values: { workingDays: number[] };
      stored: Record<string, unknown>;
    };
    expect(body.values.workingDays).toEqual([1, 2, 4, 5]);
    expect(Object.keys(body.stored)).toEqual(['workingDays']);
    // Tuesday 16:30: 1.5 h Tuesday, 6 h Thursday, 4.5 h Friday → Friday 16:30.
    const fresh = await openTicket(cet('2026-12-01', '16:30'));
    expect(await dueOf(fresh)).toEqual(cet('2026-12-04', '16:30'));
    expect(await dueOf(running)).toEqual(cet('2026-12-04', '16:30'));
    await app.settle();
    const ack = channel.sentTo(`settimana${n}@example.test`).at(-1)!;
    expect(ack.text).toContain('lunedì, martedì, giovedì e venerdì, 9:00-12:00 e 15:00-18:00');
  });

  it('adds Saturday morning: deadlines and slot proposals use it, only in the morning', async () => {
    const answer = await put({ workingDays: [1, 2, 3, 4, 5, 6], weekdayHours: { '6': '09:00-12:00' } });
    expect(answer.status).toBe(200);
    // Friday 17:30: the close of the second whole business day (Monday 18:00) comes before
    // 12 business hours (0.5 h Friday, 3 h Saturday, 6 h Monday, 2.5 h Tuesday).
    clock = cet('2026-11-27', '17:30');
    const number = await openTicket(clock);
    expect(await dueOf(number)).toEqual(cet('2026-11-30', '18:00'));
    const offer = await app.api(`/tickets/${number}/proposals`, {
      method: 'POST',
      body: { technician: 'Luca', kind: 'remote', durationMinutes: 60, count: 3 },
    });
    expect(offer.status).toBe(201);
    const { slots } = (await offer.json()) as { slots: Array<{ start: string }> };
    // Two business hours of notice from Friday 17:30 reach Saturday 10:30; then a slot a half-day.
    expect(slots.map((s) => new Date(s.start))).toEqual([
      cet('2026-11-28', '10:30'),
      cet('2026-11-30', '09:00'),
      cet('2026-11-30', '15:00'),
    ]);
    await app.settle();
    const ack = channel.sentTo(`settimana${n}@example.test`).at(-2)!;
    expect(ack.text).toContain('dal lunedì al venerdì, 9:00-12:00 e 15:00-18:00; sabato, 9:00-12:00');
  });

  it('refuses a week with no day, an unknown weekday or bad hours, naming the field', async () => {
    for (const [body, field] of [
      [{ workingDays: [] }, 'workingDays'],
      [{ workingDays: [1, 8] }, 'workingDays'],
      [{ workingDays: [1, 1] }, 'workingDays'],
      [{ weekdayHours: { '8': '09:00-12:00' } }, 'weekdayHours'],
      [{ weekdayHours: { '6': '9-12' } }, 'weekdayHours'],
    ] as const) {
      const answer = await put(body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys(((await answer.json()) as { fields: object }).fields)).toEqual([field]);
    }
    expect(app.core.calendar!.workingDays).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('goes back to Monday to Friday with null', async () => {
    const answer = await put({ workingDays: null, weekdayHours: null });
    const body = (await answer.json()) as { values: { workingDays: number[]; weekdayHours: object } };
    expect(body.values).toMatchObject({ workingDays: [1, 2, 3, 4, 5], weekdayHours: {} });
    expect(app.core.calendar!.weekdayHours).toEqual({});
  });
});
