/**
 * Contracts, prepaid packages and the prices of tickets, read from the store (issue #24, T6).
 * Prices always come from `pricing.ts` over all the customer's confirmed entries, so the hour
 * summary, the report and the export show the same numbers and prepaid hours are used once.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../../db/database.js';
import { billingContracts, customers, prepaidPackages, tickets, timeEntries } from '../../db/schema.js';
import { businessMinutesBetween, DEFAULT_BUSINESS_CALENDAR, instantToZoned } from '../business-calendar.js';
import type { CoreContext } from '../core-context.js';
import { NotFoundError } from '../errors.js';
import { priceableEntries } from './out-of-range.js';
import {
  type BillingTerms,
  defaultTerms,
  type EntryKind,
  type EntryToPrice,
  type PrepaidPackage,
  priceCustomer,
  type TicketBill,
} from './pricing.js';
import type { TimeEntryRow } from './time-entries.js';

export type PrepaidPackageRow = typeof prepaidPackages.$inferSelect;

export type CustomerRow = typeof customers.$inferSelect;
export type ContractRow = typeof billingContracts.$inferSelect;

/** The terms of a customer row and its contract (none: the default terms at its or the default rate). */
export function termsOf(
  customer: CustomerRow,
  contract: ContractRow | undefined,
  defaultRateCents: number,
): BillingTerms {
  const base = defaultTerms(customer.hourlyRateCents ?? defaultRateCents);
  if (!contract) return base;
  return {
    ...base,
    rounding:
      contract.roundingMode === 'block' && contract.roundingMinutes
        ? {
            mode: 'block',
            minutes: contract.roundingMinutes,
            scope: contract.roundingScope as 'entry' | 'ticket',
          }
        : { mode: 'none' },
    minimumMinutes: contract.minimumMinutes,
    outOfHoursSurchargePercent: contract.outOfHoursSurchargePercent,
  };
}

/** The customer's terms: their rate (or the default) and their contract (or none of its extras). */
export async function billingTermsFor(ctx: CoreContext, tx: Tx, customerId: bigint): Promise<BillingTerms> {
  const [customer] = await tx.db.select().from(customers).where(eq(customers.id, customerId));
  if (!customer) throw new NotFoundError('customer', customerId.toString());
  const [contract] = await tx.db
    .select()
    .from(billingContracts)
    .where(eq(billingContracts.customerId, customerId));
  return termsOf(customer, contract, ctx.settings.hourlyRateCents);
}

/** An entry as the pricing sees it: its local date and its minutes outside business hours. */
export function toPriced(ctx: CoreContext, entry: TimeEntryRow, outOfHours = true): EntryToPrice {
  const calendar = ctx.calendar ?? DEFAULT_BUSINESS_CALENDAR;
  const minutes = entry.minutes ?? 0;
  const end = new Date(entry.startedAt.getTime() + minutes * 60_000);
  const inside = outOfHours ? businessMinutesBetween(entry.startedAt, end, calendar) : minutes;
  return {
    id: entry.id.toString(),
    startedAt: entry.startedAt,
    localDate: instantToZoned(entry.startedAt, calendar.timeZone).date,
    kind: entry.kind as EntryKind,
    minutes,
    billable: entry.billable,
    outOfHoursMinutes: Math.max(0, minutes - inside),
    billedAt: entry.billedAt,
  };
}

const toPackage = (p: PrepaidPackageRow): PrepaidPackage => ({
  id: p.id.toString(),
  minutes: p.minutes,
  validFrom: p.validFrom,
  validUntil: p.validUntil,
  addedAt: p.createdAt,
});

export interface PricedCustomer {
  terms: BillingTerms;
  /** Confirmed entries of the customer, by ticket id, oldest first. */
  entriesByTicket: Map<string, TimeEntryRow[]>;
  packages: PrepaidPackageRow[];
  /**
   * Prices of groups of entries (`group` of each entry; default one group per ticket) with
   * prepaid hours allocated over all the customer's confirmed entries in time order.
   */
  price(group?: (entry: TimeEntryRow) => string): {
    bills: Map<string, TicketBill>;
    prepaidLeft: Map<string, number>;
  };
}

/**
 * Loads what pricing a customer needs; entries not confirmed (running timers, unconfirmed) are
 * left out, and so are entries started outside 2000–2099, with a staff alert (out-of-range.ts).
 */
export async function loadCustomerBilling(
  ctx: CoreContext,
  tx: Tx,
  customerId: bigint,
): Promise<PricedCustomer> {
  const terms = await billingTermsFor(ctx, tx, customerId);
  const packages = await tx.db
    .select()
    .from(prepaidPackages)
    .where(eq(prepaidPackages.customerId, customerId))
    .orderBy(asc(prepaidPackages.validFrom), asc(prepaidPackages.id));
  const ticketIds = (
    await tx.db.select({ id: tickets.id }).from(tickets).where(eq(tickets.customerId, customerId))
  ).map((t) => t.id);
  const entries = ticketIds.length
    ? await tx.db
        .select()
        .from(timeEntries)
        .where(and(inArray(timeEntries.ticketId, ticketIds), eq(timeEntries.status, 'confirmed')))
        .orderBy(asc(timeEntries.startedAt), asc(timeEntries.id))
    : [];
  return pricedCustomer(ctx, terms, await priceableEntries(tx, entries), packages);
}

/**
 * What pricing needs from loaded rows; entries confirmed only, oldest first (then by id).
 * `outOfHours` false skips the business-calendar walk of each entry (≈1 ms each): only for terms
 * without a surcharge, where it cannot change a cent (surcharge = minutes × rate × 0 %).
 */
export function pricedCustomer(
  ctx: CoreContext,
  terms: BillingTerms,
  entries: TimeEntryRow[],
  packages: PrepaidPackageRow[],
  outOfHours = true,
): PricedCustomer {
  const entriesByTicket = new Map<string, TimeEntryRow[]>();
  for (const e of entries) {
    const key = e.ticketId.toString();
    const list = entriesByTicket.get(key);
    if (list) list.push(e);
    else entriesByTicket.set(key, [e]);
  }
  return {
    terms,
    entriesByTicket,
    packages,
    price(group = (e) => e.ticketId.toString()) {
      const groups = new Map<string, EntryToPrice[]>();
      for (const e of entries) {
        const key = group(e);
        const list = groups.get(key);
        if (list) list.push(toPriced(ctx, e, outOfHours));
        else groups.set(key, [toPriced(ctx, e, outOfHours)]);
      }
      return priceCustomer(
        [...groups].map(([ticketId, list]) => ({ ticketId, entries: list })),
        terms,
        ctx.settings.vatPercent,
        packages.map(toPackage),
      );
    },
  };
}

export interface TicketSummaryData {
  ticket: typeof tickets.$inferSelect;
  bill: TicketBill;
  /** Prepaid minutes left over all of the customer's packages, after all confirmed work. */
  prepaidLeftMinutes: number;
  /** Packages exist (show the prepaid lines even when none is used). */
  hasPrepaid: boolean;
  /** Entries not billed until confirmed (running timers, timers that stopped themselves). */
  pending: TimeEntryRow[];
}

/** The hour summary's numbers for one ticket. */
export async function ticketSummaryData(
  ctx: CoreContext,
  tx: Tx,
  ticketNumber: number,
): Promise<TicketSummaryData> {
  const [ticket] = await tx.db.select().from(tickets).where(eq(tickets.number, ticketNumber));
  if (!ticket) throw new NotFoundError('ticket', ticketNumber);
  const billing = await loadCustomerBilling(ctx, tx, ticket.customerId);
  const { bills, prepaidLeft } = billing.price();
  const bill = bills.get(ticket.id.toString()) ?? emptyBill(billing.terms, ctx.settings.vatPercent);
  const pending = await tx.db
    .select()
    .from(timeEntries)
    .where(and(eq(timeEntries.ticketId, ticket.id), inArray(timeEntries.status, ['running', 'unconfirmed'])))
    .orderBy(asc(timeEntries.startedAt));
  return {
    ticket,
    bill,
    prepaidLeftMinutes: [...prepaidLeft.values()].reduce((a, b) => a + b, 0),
    hasPrepaid: billing.packages.length > 0,
    pending,
  };
}

function emptyBill(terms: BillingTerms, vatPercent: number): TicketBill {
  return {
    lines: [],
    rawMinutes: 0,
    billedMinutes: 0,
    prepaidMinutes: 0,
    chargeableMinutes: 0,
    hourlyRateCents: terms.hourlyRateCents,
    timeCents: 0,
    outOfHoursMinutes: 0,
    surchargePercent: terms.outOfHoursSurchargePercent,
    surchargeCents: 0,
    netCents: 0,
    vatPercent,
    vatCents: 0,
    totalCents: 0,
  };
}
