/**
 * From logged minutes to money, for one ticket and for many. Pure: entries, contract and prepaid
 * packages come in, numbers come out. The rules (README, "Time tracking and billing"):
 *
 * 1. Rounding (per contract): `none`, or blocks of N minutes. Per `entry` each billable entry is
 *    rounded up to the block; per `ticket` the ticket's billable total is, and each line shows its
 *    share (the rounding of the running total minus that of the previous one), so lines add up to
 *    the rounded total and the same work logged as one entry or several bills the same.
 * 2. Minimum charge: a ticket with any billable time bills at least `minimumMinutes`; the
 *    difference is added to its last billable line.
 * 3. Prepaid hours ("monte ore") pay billed minutes first, package by package, oldest first, only
 *    packages valid on the entry's date ({@link allocatePrepaid}).
 * 4. Money: the chargeable minutes (billed minus prepaid) × the hourly rate, rounded half-up once
 *    per ticket; plus the surcharge outside business hours (raw minutes outside them × rate ×
 *    percent, rounded once; prepaid hours do not cover it). VAT once on the net, half-up.
 */
import type { BillLine, TicketBill } from '../../db/exported-bill.js';
import type { EntryKind } from '../../db/statuses.js';
import { amountForMinutes, divideHalfUp, percentOf } from './money.js';

export type { BillLine, TicketBill } from '../../db/exported-bill.js';
export { ENTRY_KINDS, type EntryKind } from '../../db/statuses.js';

export type RoundingRule = { mode: 'none' } | { mode: 'block'; minutes: number; scope: 'entry' | 'ticket' };

/** What a customer's contract says; without a contract {@link DEFAULT_TERMS} with the default rate. */
export interface BillingTerms {
  /** Cents per hour, VAT excluded (T6: 3000 unless a contract says otherwise). */
  hourlyRateCents: number;
  rounding: RoundingRule;
  /** Least billed minutes of a ticket with any billable time; 0 = none. */
  minimumMinutes: number;
  /** Extra percent on work outside business hours; 0 = none. */
  outOfHoursSurchargePercent: number;
}

/**
 * The terms T6 state: the hourly rate and nothing else, so no rounding, no minimum, no
 * surcharge. Charging more than the minutes worked needs a contract that says so.
 */
export function defaultTerms(hourlyRateCents: number): BillingTerms {
  return { hourlyRateCents, rounding: { mode: 'none' }, minimumMinutes: 0, outOfHoursSurchargePercent: 0 };
}

export interface EntryToPrice {
  id: string;
  startedAt: Date;
  /** Local date of the start (`YYYY-MM-DD`, business time zone): prepaid validity is by date. */
  localDate: string;
  kind: EntryKind;
  minutes: number;
  billable: boolean;
  /** Minutes of this entry outside business hours (from the business calendar). */
  outOfHoursMinutes: number;
  /** When it was exported for invoicing; a package added later does not pay for it. */
  billedAt?: Date | null;
}

export interface PrepaidPackage {
  id: string;
  minutes: number;
  /** Local date from which the package can be used. */
  validFrom: string;
  /** Last local date on which it can be used. */
  validUntil: string;
  /** When it was added: it pays no work already invoiced (billed) before then. */
  addedAt?: Date;
}

function roundUp(minutes: number, block: number): number {
  return Math.ceil(minutes / block) * block;
}

/** Billed minutes of each entry of one ticket (entries in the order they are shown). */
export function billedMinutes(entries: readonly EntryToPrice[], terms: BillingTerms): number[] {
  const rule = terms.rounding;
  let running = 0;
  let runningRounded = 0;
  const billed = entries.map((entry) => {
    if (!entry.billable) return 0;
    if (rule.mode === 'none') return entry.minutes;
    if (rule.scope === 'entry') return roundUp(entry.minutes, rule.minutes);
    running += entry.minutes;
    const rounded = roundUp(running, rule.minutes);
    const share = rounded - runningRounded;
    runningRounded = rounded;
    return share;
  });
  const total = billed.reduce((a, b) => a + b, 0);
  let lastBillable = -1;
  entries.forEach((e, i) => {
    if (e.billable) lastBillable = i;
  });
  if (total > 0 && total < terms.minimumMinutes && lastBillable >= 0) {
    billed[lastBillable]! += terms.minimumMinutes - total;
  }
  return billed;
}

export interface PrepaidUse {
  packageId: string;
  minutes: number;
}

/**
 * Lines (in time order) paid from prepaid packages: each line takes from the packages valid on
 * its date, the earliest-starting first (then the earliest to expire), until its minutes are paid
 * or the packages are empty. A line billed (invoiced) before a package was added is not paid from
 * it: that work was already invoiced in money. Returns each line's uses and each package's minutes left.
 */
export function allocatePrepaid(
  packages: readonly PrepaidPackage[],
  lines: ReadonlyArray<{ localDate: string; minutes: number; billedAt?: Date | null }>,
): { uses: PrepaidUse[][]; left: Map<string, number> } {
  const ordered = [...packages].sort(
    (a, b) =>
      a.validFrom.localeCompare(b.validFrom) ||
      a.validUntil.localeCompare(b.validUntil) ||
      a.id.localeCompare(b.id),
  );
  const left = new Map(ordered.map((p) => [p.id, p.minutes]));
  const uses = lines.map((line) => {
    let due = line.minutes;
    const used: PrepaidUse[] = [];
    for (const p of ordered) {
      if (due === 0) break;
      if (line.localDate < p.validFrom || line.localDate > p.validUntil) continue;
      if (line.billedAt && p.addedAt && p.addedAt.getTime() > line.billedAt.getTime()) continue;
      const take = Math.min(due, left.get(p.id)!);
      if (take === 0) continue;
      left.set(p.id, left.get(p.id)! - take);
      used.push({ packageId: p.id, minutes: take });
      due -= take;
    }
    return used;
  });
  return { uses, left };
}

/** Net, VAT (once, half-up) and total of a net amount. */
export function withVat(netCents: number, vatPercent: number): { vatCents: number; totalCents: number } {
  const vatCents = percentOf(netCents, vatPercent);
  return { vatCents, totalCents: netCents + vatCents };
}

/**
 * One ticket's bill. `prepaidByEntry` gives the prepaid minutes of each entry (from
 * {@link allocatePrepaid} over all the customer's lines); absent means none.
 */
export function priceTicket(
  entries: readonly EntryToPrice[],
  terms: BillingTerms,
  vatPercent: number,
  prepaidByEntry: ReadonlyMap<string, number> = new Map(),
): TicketBill {
  const billed = billedMinutes(entries, terms);
  const lines: BillLine[] = entries.map((e, i) => ({
    entryId: e.id,
    startedAt: e.startedAt,
    localDate: e.localDate,
    kind: e.kind,
    billable: e.billable,
    rawMinutes: e.minutes,
    billedMinutes: billed[i]!,
    prepaidMinutes: Math.min(billed[i]!, prepaidByEntry.get(e.id) ?? 0),
  }));
  const sum = (pick: (l: BillLine) => number) => lines.reduce((a, l) => a + pick(l), 0);
  const billedTotal = sum((l) => l.billedMinutes);
  const prepaid = sum((l) => l.prepaidMinutes);
  const chargeable = billedTotal - prepaid;
  const timeCents = amountForMinutes(chargeable, terms.hourlyRateCents);
  const outOfHours = entries.reduce((a, e) => a + (e.billable ? e.outOfHoursMinutes : 0), 0);
  const surchargeCents = divideHalfUp(
    outOfHours * terms.hourlyRateCents * terms.outOfHoursSurchargePercent,
    6000,
  );
  const netCents = timeCents + surchargeCents;
  return {
    lines,
    rawMinutes: sum((l) => l.rawMinutes),
    billedMinutes: billedTotal,
    prepaidMinutes: prepaid,
    chargeableMinutes: chargeable,
    hourlyRateCents: terms.hourlyRateCents,
    timeCents,
    outOfHoursMinutes: outOfHours,
    surchargePercent: terms.outOfHoursSurchargePercent,
    surchargeCents,
    netCents,
    vatPercent,
    ...withVat(netCents, vatPercent),
  };
}

/**
 * A customer's tickets priced together, prepaid hours allocated across all of them in time order
 * (entries sorted by start, then id). Used by the hour summary and the monthly report alike, so
 * both show the same numbers.
 */
export function priceCustomer(
  tickets: ReadonlyArray<{ ticketId: string; entries: readonly EntryToPrice[] }>,
  terms: BillingTerms,
  vatPercent: number,
  packages: readonly PrepaidPackage[],
): { bills: Map<string, TicketBill>; prepaidLeft: Map<string, number> } {
  const flat = tickets.flatMap((t) => {
    const billed = billedMinutes(t.entries, terms);
    return t.entries.map((e, i) => ({ entry: e, minutes: billed[i]! }));
  });
  flat.sort(
    (a, b) => a.entry.startedAt.getTime() - b.entry.startedAt.getTime() || compareIds(a.entry.id, b.entry.id),
  );
  const { uses, left } = allocatePrepaid(
    packages,
    flat.map((f) => ({ localDate: f.entry.localDate, minutes: f.minutes, billedAt: f.entry.billedAt })),
  );
  const prepaidByEntry = new Map(
    flat.map((f, i) => [f.entry.id, uses[i]!.reduce((a, u) => a + u.minutes, 0)] as const),
  );
  const bills = new Map(
    tickets.map((t) => [t.ticketId, priceTicket(t.entries, terms, vatPercent, prepaidByEntry)] as const),
  );
  return { bills, prepaidLeft: left };
}

/** Numeric ids (bigint as text) in numeric order. */
function compareIds(a: string, b: string): number {
  return a.length - b.length || a.localeCompare(b);
}
