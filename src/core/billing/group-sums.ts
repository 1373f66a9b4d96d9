/**
 * Pricing a group of entries (a ticket's work of one month) from two sums the database adds up,
 * instead of from each entry: what keeps the staff reports page fast (#25, docs/performance.md).
 * It is not a second set of rules: the sums go through {@link priceTicket} as the group's work
 * logged as one billable and one non-billable entry, and the terms for which that gives the same
 * minutes and cents as the entries one by one are named here ({@link pricedBySums}). Pure.
 */
import type { BillingTerms, EntryToPrice, TicketBill } from './pricing.js';
import { priceTicket } from './pricing.js';

/** A pricing group's confirmed work, summed; minutes. */
export interface GroupSums {
  /** All minutes, billable or not. */
  rawMinutes: number;
  /** Minutes of the billable entries. */
  billableMinutes: number;
}

/**
 * Whether a customer's bills of the local dates `fromDate`…`toDate` (`YYYY-MM-DD`, both included)
 * depend only on each group's {@link GroupSums}: so for rounding `none` (billed = worked) and blocks
 * per ticket (the group's billable total rounded up once; the lines' shares add up to it), with
 * the minimum charge on that total; not for blocks per entry (each entry rounded), a surcharge
 * outside business hours (each entry's hours), or a prepaid package valid on any of those dates
 * (paid entry by entry in time order). A package valid only outside them pays nothing in them.
 */
export function pricedBySums(
  terms: BillingTerms,
  packages: ReadonlyArray<{ validFrom: string; validUntil: string }>,
  fromDate: string,
  toDate: string,
): boolean {
  if (terms.outOfHoursSurchargePercent !== 0) return false;
  if (terms.rounding.mode === 'block' && terms.rounding.scope !== 'ticket') return false;
  return packages.every((p) => p.validUntil < fromDate || p.validFrom > toDate);
}

/**
 * The bill of a group priced from its sums, for terms {@link pricedBySums} accepts: its minutes,
 * cents and VAT are those {@link priceTicket} gives for the group's entries; its `lines` are the
 * two sums (one billable, one not), not the entries.
 */
export function priceGroupSums(sums: GroupSums, terms: BillingTerms, vatPercent: number): TicketBill {
  const line = (id: string, minutes: number, billable: boolean): EntryToPrice => ({
    id,
    startedAt: new Date(0),
    localDate: '1970-01-01',
    kind: 'remote',
    minutes,
    billable,
    outOfHoursMinutes: 0,
  });
  const entries: EntryToPrice[] = [];
  if (sums.billableMinutes > 0) entries.push(line('billable', sums.billableMinutes, true));
  const other = sums.rawMinutes - sums.billableMinutes;
  if (other > 0) entries.push(line('not-billable', other, false));
  return priceTicket(entries, terms, vatPercent);
}
