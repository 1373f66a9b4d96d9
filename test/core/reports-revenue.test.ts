import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCustomersTerms } from '../../src/core/billing/batch-billing.js';
import { addPrepaidPackage, putContract } from '../../src/core/billing/contracts.js';
import { pricedBySums } from '../../src/core/billing/group-sums.js';
import { exportForInvoicing, hoursReport } from '../../src/core/billing/hours-report.js';
import { recordTimeEntry, updateTimeEntry } from '../../src/core/billing/time-entries.js';
import type { CoreContext } from '../../src/core/core-context.js';
import { createCustomer } from '../../src/core/customers.js';
import { revenueReport } from '../../src/core/reports/reports.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { inbound, TestChannel } from '../helpers/test-channel.js';

// The staff reports' revenue (#25) prices most customers from sums the database adds up per
// ticket and month; the monthly statement (#24) prices every entry. The two must show the same
// minutes and cents for every customer and month, also after work is added to a closed month,
// an entry is corrected, or a contract changes.
let app: TestApp;
let core: CoreContext;
const clock = new Date('2026-05-12T10:00:00Z');
const PERIOD = { fromMonth: '2026-02', toMonth: '2026-05' };
const MONTHS = ['2026-02', '2026-03', '2026-04', '2026-05'];
const customerIds: Record<string, bigint> = {};
const ticketsOf: Record<string, number[]> = {};

async function customer(key: string, tickets = 2) {
  const address = `${key}@example.test`;
  const created = await createCustomer(
    core,
    { name: `Cliente ${key}`, locale: 'it', status: 'active', identities: [{ kind: 'test', address }] },
    'test',
  );
  customerIds[key] = created.id;
  ticketsOf[key] = [];
  for (let i = 0; i < tickets; i++) {
    const outcome = await app.channelContext.ingest(inbound({ from: address, newText: `Lavoro ${key}${i}` }));
    if (outcome.status !== 'new_ticket') throw new Error('expected a ticket');
    ticketsOf[key].push(outcome.ticketNumber);
  }
}

/** Logs work on the customer's ticket `index`; `at` in UTC. */
function log(key: string, index: number, minutes: number, at: string, billable = true) {
  return app.database.transaction((t) =>
    recordTimeEntry(core, t, {
      ticketNumber: ticketsOf[key]![index]!,
      technician: 'Luca',
      minutes,
      kind: 'remote',
      startedAt: new Date(at),
      billable,
      source: 'api',
    }),
  );
}

/** What the monthly statements, pricing each entry, show per customer and month. */
async function statements() {
  const rows: Array<[string, string, number, number, number, number]> = [];
  for (const month of MONTHS) {
    const report = await hoursReport(core, app.database, month);
    for (const c of report.customers) {
      const sum = (pick: (b: (typeof c.tickets)[number]['bill']) => number) =>
        c.tickets.reduce((a, t) => a + pick(t.bill), 0);
      rows.push([
        c.customerId,
        month,
        sum((b) => b.rawMinutes),
        sum((b) => b.billedMinutes),
        c.netCents,
        c.totalCents,
      ]);
    }
  }
  return rows.sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
}

async function reported() {
  const report = await revenueReport(core, app.database, PERIOD);
  return report.rows
    .map((r) => [r.customerId, r.month, r.workedMinutes, r.billedMinutes, r.netCents, r.totalCents])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1])));
}

beforeAll(async () => {
  app = await startTestApp({
    now: () => clock,
    adapters: (_context, c) => {
      core = c;
      return [new TestChannel()];
    },
  });
  for (const key of ['plain', 'blocks', 'perEntry', 'surcharge', 'prepaid', 'expired']) await customer(key);
  await app.database.transaction(async (t) => {
    const contract = (rounding: Parameters<typeof putContract>[3]['rounding'], extra = {}) => ({
      hourlyRateCents: null,
      rounding,
      minimumMinutes: 0,
      outOfHoursSurchargePercent: 0,
      ...extra,
    });
    const block = (scope: 'ticket' | 'entry') => ({ mode: 'block' as const, minutes: 15, scope });
    await putContract(
      core,
      t,
      customerIds.blocks!,
      contract(block('ticket'), { hourlyRateCents: 4500, minimumMinutes: 30 }),
      'test',
    );
    await putContract(core, t, customerIds.perEntry!, contract(block('entry')), 'test');
    await putContract(
      core,
      t,
      customerIds.surcharge!,
      contract({ mode: 'none' }, { outOfHoursSurchargePercent: 20 }),
      'test',
    );
    const pkg = (validFrom: string, validUntil: string) => ({ minutes: 120, validFrom, validUntil });
    await addPrepaidPackage(core, t, customerIds.prepaid!, pkg('2026-01-01', '2026-12-31'), 'test');
    await addPrepaidPackage(core, t, customerIds.expired!, pkg('2025-01-01', '2025-12-31'), 'test');
  });
  // Two entries on a ticket in a month, work not billable, work in the evening (19:30 in Rome).
  const work: Array<[number, number, string, boolean?]> = [
    [0, 7, '2026-02-03T08:00:00Z'],
    [0, 50, '2026-02-03T10:00:00Z'],
    [1, 20, '2026-02-20T18:30:00Z'],
    [0, 95, '2026-03-04T09:00:00Z'],
    [1, 10, '2026-03-05T08:00:00Z', false],
    [1, 33, '2026-03-31T21:30:00Z'],
    [0, 61, '2026-04-14T07:15:00Z'],
    [0, 5, '2026-05-04T13:00:00Z'],
  ];
  for (const key of Object.keys(customerIds))
    for (const [index, minutes, at, billable] of work) await log(key, index, minutes, at, billable);
  await app.database.transaction((t) => exportForInvoicing(core, t, { month: '2026-02', actor: 'test' }));
}, 120_000);

afterAll(async () => {
  await app?.close();
});

describe('revenue per customer and month on the reports page', () => {
  it('sums in the database exactly the customers whose terms allow it', async () => {
    const terms = await loadCustomersTerms(core, app.database, Object.values(customerIds));
    const summed = Object.entries(customerIds)
      .filter(([, id]) => {
        const t = terms.get(id.toString())!;
        return pricedBySums(t.terms, t.packages, '2026-02-01', '2026-05-31');
      })
      .map(([key]) => key);
    expect(summed).toEqual(['plain', 'blocks', 'expired']);
  });

  it("shows the statements' minutes and cents for every customer and month", async () => {
    const expected = await statements();
    expect(expected).toHaveLength(24);
    expect(await reported()).toEqual(expected);
    // Blocks per ticket, 30-minute minimum, € 45,00/h: March's 95 + (10 not billable) + 33 minutes
    // bill 105 + 45 = 150 minutes, € 112,50 + 22% = € 137,25.
    const blocks = (await reported()).find(
      (r) => r[0] === customerIds.blocks!.toString() && r[1] === '2026-03',
    );
    expect(blocks).toEqual([customerIds.blocks!.toString(), '2026-03', 138, 150, 11_250, 13_725]);
  });

  it('stays equal after work is added to closed months (one already invoiced), corrected, or repriced', async () => {
    const before = await reported();
    for (const key of Object.keys(customerIds)) {
      await log(key, 1, 14, '2026-02-26T09:00:00Z'); // February was exported: a late entry
      await log(key, 0, 25, '2026-03-04T15:00:00Z'); // March: same ticket and month as an entry
    }
    const entry = await log('blocks', 1, 40, '2026-04-02T08:00:00Z');
    await app.database.transaction((t) =>
      updateTimeEntry(core, t, {
        ticketNumber: ticketsOf.blocks![1]!,
        entryId: entry.id,
        technician: 'Luca',
        patch: { minutes: 41 },
      }),
    );
    const after = await reported();
    expect(after).not.toEqual(before);
    expect(after).toEqual(await statements());
    await app.database.transaction((t) =>
      putContract(
        core,
        t,
        customerIds.plain!,
        {
          hourlyRateCents: 3700,
          rounding: { mode: 'block', minutes: 10, scope: 'ticket' },
          minimumMinutes: 60,
          outOfHoursSurchargePercent: 0,
        },
        'test',
      ),
    );
    const repriced = await reported();
    expect(repriced).not.toEqual(after);
    expect(repriced).toEqual(await statements());
  });
});
