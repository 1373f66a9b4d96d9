import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebAdapter } from '../../src/channels/web/web-adapter.js';
import { businessMinutesBetween } from '../../src/core/business-calendar.js';
import type { CoreContext } from '../../src/core/core-context.js';
import { createLogger } from '../../src/logger.js';
import { type PortalClient, portalCustomer, signedInClient } from '../helpers/portal-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { WEB_TEST_SETTINGS } from '../helpers/web-kit.js';

// Dates clients send are bounded (src/core/date-bounds.ts, docs/date-bounds.md), and a year-9999
// entry already in the store no longer hangs the bill: the tester's report of a frozen server.
let app: TestApp;
let core: CoreContext;
// Monday 2 March 2026, 11:00 in Rome.
const clock = new Date('2026-03-02T10:00:00Z');

// biome-ignore lint/suspicious/noExplicitAny: assertions walk arbitrary response shapes
type Json = Record<string, any>;
const json = async (r: Response) => (await r.json()) as Json;

beforeAll(async () => {
  app = await startTestApp({
    env: { TRUST_PROXY: 'true' },
    now: () => clock,
    adapters: (_context, c) => {
      core = c;
      return [
        new WebAdapter({
          core: c,
          settings: WEB_TEST_SETTINGS,
          logger: createLogger('silent'),
          email: () => undefined,
          linkFor: () => undefined,
          chatOn: (kind) => kind === 'slack',
        }),
      ];
    },
  });
});
afterAll(async () => {
  await app?.close();
});

async function openTicket(client: PortalClient, subject: string): Promise<number> {
  const data = new FormData();
  data.append('subject', subject);
  data.append('text', 'Il PC non parte');
  data.append('nonce', `o-${subject}`);
  const created = await client.post('/portal/tickets', {}, data);
  return Number(/tickets\/(\d+)/.exec(created.response.headers.get('location')!)![1]);
}

async function customerTicket(email: string) {
  const customerId = await portalCustomer(app, core, email);
  const client = await signedInClient(app, email);
  return { customerId, client, number: await openTicket(client, `Ticket ${email}`) };
}

const log = (number: number, startedAt: unknown, minutes: unknown = 30) =>
  app.api(`/tickets/${number}/time`, { body: { technician: 'x', minutes, startedAt } });

describe('dates a client sends', () => {
  it("refuses the tester's requests with a 400 naming the field, and stores nothing", async () => {
    const { number } = await customerTicket('anna@example.test');
    for (const startedAt of ['9999-12-31T00:00:00Z', 12345, 'ieri', '1999-12-31T23:59:59Z']) {
      const refused = await log(number, startedAt);
      expect(refused.status).toBe(400);
      const answer = await json(refused);
      expect(Object.keys(answer.fields)).toEqual(['startedAt']);
      expect(answer.fields.startedAt).not.toContain('received Date');
    }
    // Two hours ahead of the clock: past the 1 h tolerance (the check that needs the clock).
    const ahead = await log(number, '2026-03-02T12:00:01Z');
    expect(ahead.status).toBe(400);
    expect((await json(ahead)).fields.startedAt).toContain('future');
    const time = await json(await app.api(`/tickets/${number}/time`));
    expect(time.entries).toEqual([]);

    const report = await app.api('/reports/hours?month=9999-12');
    expect(report.status).toBe(400);
    expect(Object.keys((await json(report)).fields)).toEqual(['month']);
    expect((await app.api('/reports/hours?month=1999-12')).status).toBe(400);
    const exported = await app.api('/reports/hours/export', { body: { month: '9999-12', author: 'x' } });
    expect(exported.status).toBe(400);
    const appointments = await app.api('/appointments?from=0001-01-01T00:00:00Z&to=9999-12-31T00:00:00Z');
    expect(appointments.status).toBe(400);
  });

  it('corrects an entry only to a start in the range', async () => {
    const { number } = await customerTicket('bruno@example.test');
    const logged = await json(await log(number, '2026-03-02T08:00:00Z'));
    const patch = await app.api(`/tickets/${number}/time/${logged.entry.id}`, {
      method: 'PATCH',
      body: { technician: 'x', startedAt: '2030-01-01T00:00:00Z' },
    });
    expect(patch.status).toBe(400);
    expect(Object.keys((await json(patch)).fields)).toEqual(['startedAt']);
  });

  it('prices work at both ends of the allowed range, a full day with a surcharge contract', async () => {
    const { customerId, number } = await customerTicket('carla@example.test');
    const contract = await app.api(`/customers/${customerId}/contract`, {
      method: 'PUT',
      body: { hourlyRateCents: 3000, rounding: { mode: 'none' }, outOfHoursSurchargePercent: 50 },
    });
    expect(contract.status).toBeLessThan(300);
    expect((await log(number, '2000-01-01T00:00:00Z', 1440)).status).toBe(201);
    expect((await log(number, '2026-03-02T10:59:00Z', 1440)).status).toBe(201);
    const time = await json(await app.api(`/tickets/${number}/time`));
    expect(time.bill.lines).toHaveLength(2);
    expect(time.bill.rawMinutes).toBe(2880);
    expect(time.bill.outOfHoursMinutes).toBeGreaterThan(0);
  });

  it('adds closures from today to three years ahead only', async () => {
    const past = await app.api('/closures', { body: { date: '2026-03-01' } });
    expect(past.status).toBe(400);
    expect(Object.keys((await json(past)).fields)).toEqual(['date']);
    expect((await app.api('/closures', { body: { date: '2029-03-03' } })).status).toBe(400);
    expect((await app.api('/closures', { body: { date: '9999-12-31' } })).status).toBe(400);
    expect((await app.api('/closures', { body: { date: '2026-03-02', reason: 'oggi' } })).status).toBe(201);
    expect((await app.api('/closures', { body: { date: '2029-03-02' } })).status).toBe(201);
  });

  it('refuses prepaid packages outside the supported calendar', async () => {
    const { customerId } = await customerTicket('dario@example.test');
    const refused = await app.api(`/customers/${customerId}/prepaid`, {
      body: { minutes: 600, validFrom: '2026-01-01', validUntil: '9999-12-31' },
    });
    expect(refused.status).toBe(400);
    expect(Object.keys((await json(refused)).fields)).toEqual(['validUntil']);
  });
});

describe('a year-9999 entry already in the store', () => {
  it('does not hang the time listing, the report or the portal: it is listed, left out of the bill, alerted once', async () => {
    const { number, client } = await customerTicket('elena@example.test');
    expect((await log(number, '2026-03-02T08:00:00Z', 60)).status).toBe(201);
    for (const at of ['9999-12-31T00:00:00Z', '9999-12-31T23:30:00Z', '1970-01-01T03:25:45Z']) {
      await app.database.sql.query(
        `insert into time_entries (ticket_id, technician, started_at, minutes, kind, billable, note, status, source)
         select id, 'x', $2::timestamptz, 30, 'remote', true, '', 'confirmed', 'api' from tickets where number = $1`,
        [number, at],
      );
    }
    const time = await app.api(`/tickets/${number}/time`);
    expect(time.status).toBe(200);
    const answer = await json(time);
    expect(answer.entries).toHaveLength(4);
    expect(answer.bill.lines).toHaveLength(1);
    expect(answer.bill.totalCents).toBe(3660);

    expect((await app.api('/reports/hours?month=2026-03')).status).toBe(200);
    const portal = await client.get('/portal');
    expect(portal.response.status).toBe(200);
    expect(portal.text).toContain(`#${number}`);
    expect((await app.api(`/tickets/${number}/time`)).status).toBe(200);

    const { rows } = await app.database.sql.query<{ n: number }>(
      "select count(*)::int as n from staff_alerts where kind = 'time_entry_out_of_range'",
    );
    expect(rows[0]!.n).toBe(3);
  }, 60_000);

  it('counts business minutes of a span at the end of year 9999 without walking past it', () => {
    expect(businessMinutesBetween(new Date('9999-12-31T00:00:00Z'), new Date('9999-12-31T00:30:00Z'))).toBe(
      0,
    );
    expect(businessMinutesBetween(new Date('9999-12-31T23:00:00Z'), new Date('10000-01-01T00:30:00Z'))).toBe(
      0,
    );
  });
});
