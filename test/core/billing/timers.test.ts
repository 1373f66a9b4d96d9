import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketSummaryData } from '../../../src/core/billing/billing-store.js';
import { autoStopTimer, startTimer, stopTimer, timerStopTime } from '../../../src/core/billing/timers.js';
import { createCustomer } from '../../../src/core/customers.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { inbound, TestChannel } from '../../helpers/test-channel.js';

let app: TestApp;
// Monday 2 March 2026, 16:00 in Rome (CET, UTC+1).
let clock = new Date('2026-03-02T15:00:00Z');

beforeAll(async () => {
  app = await startTestApp({ adapters: () => [new TestChannel()], now: () => clock });
});
afterAll(async () => {
  await app.close();
});

describe('when a timer stops itself', () => {
  it('at closing time of its business day, or at midnight when started after it or on a closed day', () => {
    expect(timerStopTime(new Date('2026-03-02T08:30:00Z')).toISOString()).toBe('2026-03-02T17:00:00.000Z');
    expect(timerStopTime(new Date('2026-03-02T17:30:00Z')).toISOString()).toBe('2026-03-02T23:00:00.000Z');
    // Saturday, and a summer day (CEST, UTC+2).
    expect(timerStopTime(new Date('2026-03-07T10:00:00Z')).toISOString()).toBe('2026-03-07T23:00:00.000Z');
    expect(timerStopTime(new Date('2026-06-03T07:00:00Z')).toISOString()).toBe('2026-06-03T16:00:00.000Z');
  });
});

describe('a timer left running', () => {
  it('is stopped by its pg-boss job at 18:00, unconfirmed and not billed, its technician told; Stop confirms it', async () => {
    await createCustomer(
      app.core,
      { name: 'Gallo', status: 'active', identities: [{ kind: 'test', address: 'gallo@example.test' }] },
      'test',
    );
    const outcome = await app.channelContext.ingest(inbound({ from: 'gallo@example.test' }));
    if (outcome.status !== 'new_ticket') throw new Error(outcome.status);
    const number = outcome.ticketNumber;
    const entry = await app.database.transaction((tx) =>
      startTimer(app.core, tx, { ticketNumber: number, technician: 'Marco', actor: 'test' }),
    );
    const { rows: jobs } = await app.database.sql.query<{ start_after: Date }>(
      "select start_after from pgboss.job where name = 'billing-timer-stop' and data->>'entryId' = $1",
      [entry.id.toString()],
    );
    expect(jobs.map((j) => new Date(j.start_after).toISOString())).toEqual(['2026-03-02T17:00:00.000Z']);

    // The evening comes: the job is due (moved to the database's now, as pg-boss reads its own clock).
    clock = new Date('2026-03-02T20:00:00Z');
    await app.database.sql.query(
      "update pgboss.job set start_after = now() where name = 'billing-timer-stop' and data->>'entryId' = $1",
      [entry.id.toString()],
    );
    app.queue.wake();
    const deadline = Date.now() + 15_000;
    let status = 'running';
    while (status === 'running' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      const { rows } = await app.database.sql.query<{ status: string; minutes: number }>(
        'select status, minutes from time_entries where id = $1',
        [entry.id.toString()],
      );
      status = rows[0]!.status;
      if (status !== 'running') expect(rows[0]!.minutes).toBe(120);
    }
    expect(status).toBe('unconfirmed');
    const { rows: alerts } = await app.database.sql.query<{ text: string }>(
      "select text from staff_alerts where kind = 'timer_stopped'",
    );
    expect(alerts[0]!.text).toMatch(/^Marco: il timer del ticket #\d+ .* fermato \(2 h\)/);

    const before = await ticketSummaryData(app.core, app.core.database, number);
    expect(before.bill.netCents).toBe(0);
    expect(before.pending).toHaveLength(1);

    const stopped = await app.database.transaction((tx) =>
      stopTimer(app.core, tx, { ticketNumber: number, technician: 'Marco', actor: 'test' }),
    );
    expect(stopped.confirmed).toBe('confirmed');
    const after = await ticketSummaryData(app.core, app.core.database, number);
    expect([after.bill.netCents, after.bill.vatCents, after.bill.totalCents]).toEqual([6000, 1320, 7320]);
  });
});

describe('the minutes of a timer', () => {
  it('stopped by itself count only business hours (no lunch break); stopped by hand, the wall clock', async () => {
    await createCustomer(
      app.core,
      { name: 'Neri', status: 'active', identities: [{ kind: 'test', address: 'neri@example.test' }] },
      'test',
    );
    const outcome = await app.channelContext.ingest(inbound({ from: 'neri@example.test' }));
    if (outcome.status !== 'new_ticket') throw new Error(outcome.status);
    const ticketNumber = outcome.ticketNumber;
    // Tuesday 3 March 2026, 10:00 in Rome; business hours 09:00-12:00 and 15:00-18:00.
    clock = new Date('2026-03-03T09:00:00Z');
    const forgotten = await app.database.transaction((tx) =>
      startTimer(app.core, tx, { ticketNumber, technician: 'Sara', actor: 'test' }),
    );
    clock = new Date('2026-03-03T20:00:00Z');
    const auto = await app.database.transaction((tx) => autoStopTimer(app.core, tx, forgotten.id.toString()));
    // 10:00-12:00 and 15:00-18:00: 5 h, not the 8 h of the wall clock.
    expect(auto!.minutes).toBe(300);
    await app.database.transaction((tx) =>
      stopTimer(app.core, tx, { ticketNumber, technician: 'Sara', actor: 'test' }),
    );

    // Wednesday: started 10:00, stopped by hand at 17:00, lunch included: the technician chose.
    clock = new Date('2026-03-04T09:00:00Z');
    await app.database.transaction((tx) =>
      startTimer(app.core, tx, { ticketNumber, technician: 'Sara', actor: 'test' }),
    );
    clock = new Date('2026-03-04T16:00:00Z');
    const byHand = await app.database.transaction((tx) =>
      stopTimer(app.core, tx, { ticketNumber, technician: 'Sara', actor: 'test' }),
    );
    expect(byHand.entry.minutes).toBe(420);
  });
});
