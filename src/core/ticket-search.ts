/**
 * The staff ticket list (#25): filters, Italian/English full-text search with highlighted
 * matches, keyset pages. The staff pages call this; the SQL is src/db/sql/list-staff-tickets.ts.
 */

import {
  HEADLINE_STAND_INS,
  HIGHLIGHT_END,
  HIGHLIGHT_START,
  listStaffTickets,
  type StaffTicketFilter,
  type StaffTicketRow,
} from '../db/sql/list-staff-tickets.js';
import {
  addDays,
  DEFAULT_BUSINESS_CALENDAR,
  instantToZoned,
  zonedTimeToInstant,
} from './business-calendar.js';
import type { CoreContext } from './core-context.js';

export { DEADLINE_STATES, type DeadlineState } from '../db/sql/list-staff-tickets.js';
export type { StaffTicketRow };

/** Tickets per page of the staff list. */
export const STAFF_PAGE_SIZE = 50;
/** Tickets per page of search results (each row gets its highlighted headlines: ~3 ms embedded). */
export const SEARCH_PAGE_SIZE = 25;

export type TicketQuery = Omit<StaffTicketFilter, 'limit' | 'now' | 'endOfToday'> & { limit?: number };

/** A page of the list and the keyset of the next one (`before`), when there is one. */
export interface TicketPage {
  rows: StaffTicketRow[];
  nextBefore?: number;
}

/** When the local day of `now` ends in the business time zone (T2's calendar, `TIMEZONE`). */
export function endOfLocalDay(now: Date, timeZone: string): Date {
  const { date } = instantToZoned(now, timeZone);
  return zonedTimeToInstant(addDays(date, 1), '00:00', timeZone);
}

/**
 * One page of tickets, newest first. `due_today` means not yet contacted and due between now and
 * the end of today in the business time zone; `overdue`: not contacted and past due (T2).
 */
export async function findTickets(ctx: CoreContext, query: TicketQuery): Promise<TicketPage> {
  const limit = query.limit ?? (query.search?.trim() ? SEARCH_PAGE_SIZE : STAFF_PAGE_SIZE);
  const now = ctx.now();
  const timeZone = (ctx.calendar ?? DEFAULT_BUSINESS_CALENDAR).timeZone;
  const rows = await listStaffTickets(ctx.database.sql, {
    ...query,
    limit: limit + 1,
    now,
    endOfToday: endOfLocalDay(now, timeZone),
  });
  if (rows.length <= limit) return { rows };
  const page = rows.slice(0, limit);
  return { rows: page, nextBefore: page[page.length - 1]!.number };
}

/** A headline split into plain and highlighted parts, for rendering as escaped text and `<mark>`. */
export interface HeadlinePart {
  text: string;
  match: boolean;
}

/**
 * Splits a ts_headline result at its markers and puts back the `<>&` its text had. The text stays raw: the page escapes it (preact),
 * so neither the markers nor anything in the customer's text can become markup.
 */
export function headlineParts(headline: string): HeadlinePart[] {
  const parts: HeadlinePart[] = [];
  let rest = headline;
  while (rest.length > 0) {
    const start = rest.indexOf(HIGHLIGHT_START);
    if (start < 0) {
      parts.push({ text: rest, match: false });
      break;
    }
    if (start > 0) parts.push({ text: rest.slice(0, start), match: false });
    const end = rest.indexOf(HIGHLIGHT_END, start + 1);
    const stop = end < 0 ? rest.length : end;
    parts.push({ text: rest.slice(start + 1, stop), match: true });
    rest = rest.slice(stop + 1);
  }
  return parts
    .filter((p) => p.text.length > 0)
    .map((p) => ({
      ...p,
      text: HEADLINE_STAND_INS.reduce((t, [char, standIn]) => t.replaceAll(standIn, char), p.text),
    }));
}
