import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pricedBySums, priceGroupSums } from '../../../src/core/billing/group-sums.js';
import {
  type BillingTerms,
  defaultTerms,
  type EntryToPrice,
  priceTicket,
  type RoundingRule,
} from '../../../src/core/billing/pricing.js';

// The staff reports price most customers' work from two sums per ticket and month (#25): for the
// terms that allow it, the minutes and cents must be those of pricing each entry.
const entriesArb = fc.array(
  fc.record({ minutes: fc.integer({ min: 0, max: 600 }), billable: fc.boolean() }),
  { maxLength: 12 },
);
const summableTermsArb: fc.Arbitrary<BillingTerms> = fc.record({
  hourlyRateCents: fc.integer({ min: 0, max: 20_000 }),
  rounding: fc.oneof(
    fc.constant<RoundingRule>({ mode: 'none' }),
    fc.record({
      mode: fc.constant('block' as const),
      minutes: fc.integer({ min: 1, max: 480 }),
      scope: fc.constant('ticket' as const),
    }),
  ),
  minimumMinutes: fc.integer({ min: 0, max: 1440 }),
  outOfHoursSurchargePercent: fc.constant(0),
});

const toEntries = (list: Array<{ minutes: number; billable: boolean }>): EntryToPrice[] =>
  list.map((e, i) => ({
    id: String(i + 1),
    startedAt: new Date(Date.UTC(2026, 2, 2, 8, i)),
    localDate: '2026-03-02',
    kind: 'remote',
    minutes: e.minutes,
    billable: e.billable,
    outOfHoursMinutes: i % 3 === 0 ? e.minutes : 0,
  }));

const figures = (b: ReturnType<typeof priceTicket>) => ({
  rawMinutes: b.rawMinutes,
  billedMinutes: b.billedMinutes,
  chargeableMinutes: b.chargeableMinutes,
  timeCents: b.timeCents,
  surchargeCents: b.surchargeCents,
  netCents: b.netCents,
  vatCents: b.vatCents,
  totalCents: b.totalCents,
});

describe('pricing a month of a ticket from its sums', () => {
  it('gives the minutes and cents of pricing each entry, for every terms the reports sum', () => {
    fc.assert(
      fc.property(entriesArb, summableTermsArb, fc.integer({ min: 0, max: 30 }), (list, terms, vat) => {
        expect(pricedBySums(terms, [], '2026-03-01', '2026-03-31')).toBe(true);
        const entries = toEntries(list);
        const sums = {
          rawMinutes: list.reduce((a, e) => a + e.minutes, 0),
          billableMinutes: list.reduce((a, e) => a + (e.billable ? e.minutes : 0), 0),
        };
        expect(figures(priceGroupSums(sums, terms, vat))).toEqual(figures(priceTicket(entries, terms, vat)));
      }),
      { numRuns: 500 },
    );
  });

  it('is not used where each entry counts: blocks per entry, a surcharge, prepaid hours valid in the period', () => {
    const base = defaultTerms(3000);
    const perEntry: BillingTerms = { ...base, rounding: { mode: 'block', minutes: 15, scope: 'entry' } };
    const surcharge: BillingTerms = { ...base, outOfHoursSurchargePercent: 20 };
    const from = '2026-02-01';
    const to = '2026-03-31';
    expect(pricedBySums(perEntry, [], from, to)).toBe(false);
    expect(pricedBySums(surcharge, [], from, to)).toBe(false);
    expect(pricedBySums(base, [{ validFrom: '2026-03-31', validUntil: '2026-12-31' }], from, to)).toBe(false);
    expect(pricedBySums(base, [{ validFrom: '2025-01-01', validUntil: '2026-02-01' }], from, to)).toBe(false);
    // A package used up or expired before the period, or starting after it, pays nothing in it.
    const outside = [
      { validFrom: '2025-01-01', validUntil: '2026-01-31' },
      { validFrom: '2026-04-01', validUntil: '2026-12-31' },
    ];
    expect(pricedBySums(base, outside, from, to)).toBe(true);
    // Why blocks per entry are priced entry by entry: 2 × 5 minutes bill 30, their sum 15.
    const two = toEntries([
      { minutes: 5, billable: true },
      { minutes: 5, billable: true },
    ]);
    expect(priceTicket(two, perEntry, 22).billedMinutes).toBe(30);
    expect(priceGroupSums({ rawMinutes: 10, billableMinutes: 10 }, perEntry, 22).billedMinutes).toBe(15);
  });
});
