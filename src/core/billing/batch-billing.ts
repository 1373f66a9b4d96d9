/**
 * What pricing needs for many customers at once (the staff reports page, #25): their terms and
 * prepaid packages in three queries, their entries in one more. The same rows and the same pricing
 * as `loadCustomerBilling` for one customer, so the same cents.
 */

import { and, asc, eq, gte, inArray, isNull, lt, or } from 'drizzle-orm';
import type { Tx } from '../../db/database.js';
import { billingContracts, customers, prepaidPackages, tickets, timeEntries } from '../../db/schema.js';
import type { CoreContext } from '../core-context.js';
import { type PrepaidPackageRow, type PricedCustomer, pricedCustomer, termsOf } from './billing-store.js';
import { priceableEntries } from './out-of-range.js';
import type { BillingTerms } from './pricing.js';

/** A customer's terms (their rate or the default, their contract) and prepaid packages. */
export interface CustomerTerms {
  terms: BillingTerms;
  /** Oldest first (valid from, then id). */
  packages: PrepaidPackageRow[];
}

function byCustomer<T>(list: readonly T[], idOf: (x: T) => bigint): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const x of list) {
    const key = idOf(x).toString();
    const group = map.get(key);
    if (group) group.push(x);
    else map.set(key, [x]);
  }
  return map;
}

/** The terms and packages of `customerIds`, keyed by customer id (text); unknown ids are left out. */
export async function loadCustomersTerms(
  ctx: CoreContext,
  tx: Tx,
  customerIds: readonly bigint[],
): Promise<Map<string, CustomerTerms>> {
  const result = new Map<string, CustomerTerms>();
  if (customerIds.length === 0) return result;
  const ids = [...customerIds];
  const rows = await tx.db.select().from(customers).where(inArray(customers.id, ids));
  const contracts = await tx.db
    .select()
    .from(billingContracts)
    .where(inArray(billingContracts.customerId, ids));
  const packages = await tx.db
    .select()
    .from(prepaidPackages)
    .where(inArray(prepaidPackages.customerId, ids))
    .orderBy(asc(prepaidPackages.validFrom), asc(prepaidPackages.id));
  const contractOf = new Map(contracts.map((c) => [c.customerId.toString(), c]));
  const packagesOf = byCustomer(packages, (p) => p.customerId);
  for (const customer of rows) {
    const key = customer.id.toString();
    result.set(key, {
      terms: termsOf(customer, contractOf.get(key), ctx.settings.hourlyRateCents),
      packages: packagesOf.get(key) ?? [],
    });
  }
  return result;
}

/**
 * `loadCustomerBilling` for the customers of `terms` (from {@link loadCustomersTerms}): a bill's
 * `outOfHoursMinutes` is worked out only for terms with a surcharge (0 otherwise: it cannot change
 * a cent). With `window`, only what can change the prices of work *not billed yet* in it is loaded:
 * entries started before `to`; for customers without prepaid packages only those not billed,
 * from `from` on (pricing groups never span months nor mix billed and open work; only prepaid
 * hours, allocated in time order, carry other work into a group). So `entriesByTicket` holds that
 * subset, and only the open groups of the window have their bills.
 */
export async function loadCustomersBilling(
  ctx: CoreContext,
  tx: Tx,
  terms: ReadonlyMap<string, CustomerTerms>,
  window?: { from: Date; to: Date },
): Promise<Map<string, PricedCustomer>> {
  const result = new Map<string, PricedCustomer>();
  if (terms.size === 0) return result;
  const ids = [...terms.keys()].map(BigInt);
  const prepaid = [...terms].filter(([, t]) => t.packages.length > 0).map(([id]) => BigInt(id));
  const entries = await tx.db
    .select({ entry: timeEntries, customerId: tickets.customerId })
    .from(timeEntries)
    .innerJoin(tickets, eq(tickets.id, timeEntries.ticketId))
    .where(
      and(
        inArray(tickets.customerId, ids),
        eq(timeEntries.status, 'confirmed'),
        window ? lt(timeEntries.startedAt, window.to) : undefined,
        window
          ? or(
              and(gte(timeEntries.startedAt, window.from), isNull(timeEntries.billedAt)),
              inArray(tickets.customerId, prepaid),
            )
          : undefined,
      ),
    )
    .orderBy(asc(timeEntries.startedAt), asc(timeEntries.id));
  const entriesOf = byCustomer(entries, (e) => e.customerId);
  for (const [key, t] of terms) {
    // Entries dated outside the accepted range are listed elsewhere, never priced (date-bounds).
    const own = await priceableEntries(
      tx,
      (entriesOf.get(key) ?? []).map((e) => e.entry),
    );
    // Totals only: the out-of-hours minutes are worked out where they cost money.
    const charged = t.terms.outOfHoursSurchargePercent > 0;
    result.set(key, pricedCustomer(ctx, t.terms, own, t.packages, charged));
  }
  return result;
}
