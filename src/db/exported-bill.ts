import type { EntryKind } from './statuses.js';

/**
 * The shape of a priced ticket, as `billing_exports.lines` keeps it (src/db/schema.ts) and as
 * src/core/billing/pricing.ts computes it. Here so the store does not depend on the core.
 */

/** One time entry of a ticket's bill; minutes. */
export interface BillLine {
  entryId: string;
  startedAt: Date;
  localDate: string;
  kind: EntryKind;
  billable: boolean;
  rawMinutes: number;
  billedMinutes: number;
  prepaidMinutes: number;
}

/** One ticket's bill: minutes, and amounts in integer cents. */
export interface TicketBill {
  lines: BillLine[];
  rawMinutes: number;
  billedMinutes: number;
  prepaidMinutes: number;
  /** Billed minutes not paid by prepaid hours: these cost money. */
  chargeableMinutes: number;
  hourlyRateCents: number;
  /** chargeableMinutes × rate, rounded half-up once. */
  timeCents: number;
  outOfHoursMinutes: number;
  surchargePercent: number;
  surchargeCents: number;
  netCents: number;
  vatPercent: number;
  vatCents: number;
  totalCents: number;
}
