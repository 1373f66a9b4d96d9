import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { divideHalfUp, formatMoney } from '../../../src/core/billing/money.js';
import {
  allocatePrepaid,
  type BillingTerms,
  defaultTerms,
  type EntryToPrice,
  priceCustomer,
  priceTicket,
  type RoundingRule,
} from '../../../src/core/billing/pricing.js';

const day = (n: number) => `2026-03-${String(n).padStart(2, '0')}`;
const entry = (id: number, minutes: number, extra: Partial<EntryToPrice> = {}): EntryToPrice => ({
  id: String(id),
  startedAt: new Date(Date.UTC(2026, 2, 2, 9, id)),
  localDate: day(2),
  kind: 'remote',
  minutes,
  billable: true,
  outOfHoursMinutes: 0,
  ...extra,
});

const minutesArb = fc.integer({ min: 1, max: 600 });
const ruleArb: fc.Arbitrary<RoundingRule> = fc.oneof(
  fc.constant({ mode: 'none' } as const),
  fc.record({
    mode: fc.constant('block' as const),
    minutes: fc.constantFrom(5, 10, 15, 30, 60),
    scope: fc.constantFrom('entry' as const, 'ticket' as const),
  }),
);
const termsArb: fc.Arbitrary<BillingTerms> = fc.record({
  hourlyRateCents: fc.integer({ min: 0, max: 20_000 }),
  rounding: ruleArb,
  minimumMinutes: fc.integer({ min: 0, max: 120 }),
  outOfHoursSurchargePercent: fc.integer({ min: 0, max: 100 }),
});

describe('pricing of a ticket', () => {
  it('1 h 30 min remote at the default rate is € 45,00 + IVA € 9,90 = € 54,90', () => {
    const bill = priceTicket([entry(1, 90)], defaultTerms(3000), 22);
    expect([bill.netCents, bill.vatCents, bill.totalCents]).toEqual([4500, 990, 5490]);
    expect([
      formatMoney(bill.netCents, 'it'),
      formatMoney(bill.vatCents, 'it'),
      formatMoney(bill.totalCents, 'it'),
    ]).toEqual(['€ 45,00', '€ 9,90', '€ 54,90']);
    expect(formatMoney(123456, 'it')).toBe('€ 1.234,56');
    expect(formatMoney(4500, 'en')).toBe('€45.00');
  });

  it('VAT is computed once on the net and rounded half-up (the README example)', () => {
    // 7 minutes at €35/h: 7 × 3500 / 60 = 408,33… → 408; VAT 22% of 408 = 89,76 → 90.
    const bill = priceTicket([entry(1, 7)], { ...defaultTerms(3500) }, 22);
    expect([bill.timeCents, bill.vatCents, bill.totalCents]).toEqual([408, 90, 498]);
    expect(divideHalfUp(5, 2)).toBe(3);
    expect(divideHalfUp(7, 2)).toBe(4);
    expect(divideHalfUp(149, 100)).toBe(1);
  });

  it('lines add up to the totals, and net + VAT = total, whatever the contract', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(minutesArb, fc.boolean()), { minLength: 1, maxLength: 8 }),
        termsArb,
        (raw, terms) => {
          const entries = raw.map(([m, billable], i) => entry(i + 1, m, { billable }));
          const bill = priceTicket(entries, terms, 22);
          expect(bill.billedMinutes).toBe(bill.lines.reduce((a, l) => a + l.billedMinutes, 0));
          expect(bill.rawMinutes).toBe(bill.lines.reduce((a, l) => a + l.rawMinutes, 0));
          expect(bill.netCents).toBe(bill.timeCents + bill.surchargeCents);
          expect(bill.totalCents).toBe(bill.netCents + bill.vatCents);
          for (const l of bill.lines) if (!l.billable) expect(l.billedMinutes).toBe(0);
          // Money comes from minutes: the displayed time × rate is the amount, to the half cent.
          expect(
            Math.abs(bill.timeCents * 60 - bill.chargeableMinutes * terms.hourlyRateCents),
          ).toBeLessThanOrEqual(30);
        },
      ),
    );
  });

  it('under per-ticket rounding the same work bills the same as one entry or several', () => {
    fc.assert(
      fc.property(
        fc.array(minutesArb, { minLength: 1, maxLength: 8 }),
        fc.constantFrom(5, 10, 15, 30, 60),
        fc.integer({ min: 0, max: 120 }),
        (parts, block, minimum) => {
          const terms: BillingTerms = {
            ...defaultTerms(3000),
            rounding: { mode: 'block', minutes: block, scope: 'ticket' },
            minimumMinutes: minimum,
          };
          const total = parts.reduce((a, b) => a + b, 0);
          const split = priceTicket(
            parts.map((m, i) => entry(i + 1, m)),
            terms,
            22,
          );
          const whole = priceTicket([entry(1, total)], terms, 22);
          expect(split.billedMinutes).toBe(whole.billedMinutes);
          expect(split.totalCents).toBe(whole.totalCents);
        },
      ),
    );
  });

  it('each rounding rule', () => {
    const e = [entry(1, 7), entry(2, 7), entry(3, 31)];
    const bill = (rounding: RoundingRule, minimumMinutes = 0) =>
      priceTicket(e, { ...defaultTerms(3000), rounding, minimumMinutes }, 22);
    expect(bill({ mode: 'none' }).lines.map((l) => l.billedMinutes)).toEqual([7, 7, 31]);
    expect(bill({ mode: 'block', minutes: 15, scope: 'entry' }).lines.map((l) => l.billedMinutes)).toEqual([
      15, 15, 45,
    ]);
    // Per ticket: 45 raw minutes → 45 billed; each line shows its share of the running rounding.
    expect(bill({ mode: 'block', minutes: 15, scope: 'ticket' }).lines.map((l) => l.billedMinutes)).toEqual([
      15, 0, 30,
    ]);
    expect(bill({ mode: 'block', minutes: 30, scope: 'ticket' }).billedMinutes).toBe(60);
    expect(bill({ mode: 'none' }, 60).lines.map((l) => l.billedMinutes)).toEqual([7, 7, 46]);
    fc.assert(
      fc.property(fc.array(minutesArb, { minLength: 1, maxLength: 6 }), ruleArb, (parts, rule) => {
        const b = priceTicket(
          parts.map((m, i) => entry(i + 1, m)),
          { ...defaultTerms(3000), rounding: rule },
          22,
        );
        const raw = parts.reduce((a, m) => a + m, 0);
        expect(b.billedMinutes).toBeGreaterThanOrEqual(raw);
        if (rule.mode === 'none') expect(b.billedMinutes).toBe(raw);
        else {
          expect(b.billedMinutes % rule.minutes).toBe(0);
          const slack = rule.scope === 'ticket' ? rule.minutes : rule.minutes * parts.length;
          expect(b.billedMinutes - raw).toBeLessThan(slack);
        }
      }),
    );
  });

  it("a contract's rate overrides the default", () => {
    fc.assert(
      fc.property(minutesArb, fc.integer({ min: 0, max: 20_000 }), (minutes, rate) => {
        const bill = priceTicket([entry(1, minutes)], defaultTerms(rate), 22);
        expect(bill.hourlyRateCents).toBe(rate);
        expect(bill.timeCents).toBe(divideHalfUp(minutes * rate, 60));
      }),
    );
    expect(priceTicket([entry(1, 60)], defaultTerms(4550), 22).netCents).toBe(4550);
  });

  it('the surcharge outside business hours is charged on those minutes only', () => {
    const terms = { ...defaultTerms(3000), outOfHoursSurchargePercent: 50 };
    const bill = priceTicket([entry(1, 60, { outOfHoursMinutes: 20 })], terms, 22);
    expect(bill.timeCents).toBe(3000);
    expect(bill.surchargeCents).toBe(500);
    expect(bill.netCents).toBe(3500);
  });
});

describe('prepaid hours', () => {
  const pkg = (id: string, minutes: number, validFrom: string, validUntil: string) => ({
    id,
    minutes,
    validFrom,
    validUntil,
  });

  it('are consumed before money, oldest package first, only while valid', () => {
    const { uses, left } = allocatePrepaid(
      [
        pkg('new', 60, day(1), day(31)),
        pkg('old', 30, '2026-01-01', day(31)),
        pkg('expired', 600, '2026-01-01', '2026-02-28'),
      ],
      [
        { localDate: day(2), minutes: 45 },
        { localDate: day(3), minutes: 60 },
      ],
    );
    expect(uses).toEqual([
      [
        { packageId: 'old', minutes: 30 },
        { packageId: 'new', minutes: 15 },
      ],
      [{ packageId: 'new', minutes: 45 }],
    ]);
    expect(Object.fromEntries(left)).toEqual({ old: 0, new: 0, expired: 600 });
  });

  it('no money is charged while prepaid minutes cover the work', () => {
    fc.assert(
      fc.property(
        fc.array(minutesArb, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 3000 }),
        (parts, prepaid) => {
          const entries = parts.map((m, i) => entry(i + 1, m));
          const { bills, prepaidLeft } = priceCustomer([{ ticketId: 't', entries }], defaultTerms(3000), 22, [
            pkg('p', prepaid, day(1), day(31)),
          ]);
          const bill = bills.get('t')!;
          const worked = parts.reduce((a, b) => a + b, 0);
          expect(bill.prepaidMinutes).toBe(Math.min(worked, prepaid));
          expect(bill.chargeableMinutes).toBe(Math.max(0, worked - prepaid));
          expect(prepaidLeft.get('p')).toBe(Math.max(0, prepaid - worked));
          if (worked <= prepaid) expect(bill.totalCents).toBe(0);
        },
      ),
    );
  });
});
