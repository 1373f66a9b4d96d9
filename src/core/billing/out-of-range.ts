/**
 * Defence in depth for stored time entries whose start is outside the supported range
 * (2000–2099, src/core/date-bounds.ts): written before the API refused them, by hand in SQL, or by
 * another server. They are not priced (their dates would send the business calendar past year
 * 9999) but stay listed with the ticket's entries; staff get one alert per entry to correct it.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/database.js';
import { staffAlerts } from '../../db/schema.js';
import { alertStaff } from '../audit.js';
import { isSupportedInstant } from '../date-bounds.js';
import type { TimeEntryRow } from './time-entries.js';

/** Kind of the staff alert raised for an entry left out of the bills. */
export const OUT_OF_RANGE_ALERT = 'time_entry_out_of_range';

/**
 * The entries that can be priced; for each one that cannot, a staff alert (once per entry,
 * Italian first), inside `tx`.
 */
export async function priceableEntries<T extends TimeEntryRow>(tx: Tx, entries: T[]): Promise<T[]> {
  const bad = entries.filter((e) => !isSupportedInstant(e.startedAt));
  if (bad.length === 0) return entries;
  for (const entry of bad) {
    const id = entry.id.toString();
    const [seen] = await tx.db
      .select({ id: staffAlerts.id })
      .from(staffAlerts)
      .where(and(eq(staffAlerts.kind, OUT_OF_RANGE_ALERT), sql`${staffAlerts.data}->>'entryId' = ${id}`))
      .limit(1);
    if (seen) continue;
    const when = Number.isNaN(entry.startedAt.getTime()) ? 'invalid' : entry.startedAt.toISOString();
    await alertStaff(tx, {
      kind: OUT_OF_RANGE_ALERT,
      ticketId: entry.ticketId,
      text:
        `Registrazione ore ${id}: inizio ${when} fuori dall'intervallo 2000–2099, esclusa dal conto; correggila o eliminala. / ` +
        `Time entry ${id}: start ${when} outside 2000–2099, left out of the bill; correct or delete it.`,
      data: { entryId: id, startedAt: when },
    });
  }
  return entries.filter((e) => isSupportedInstant(e.startedAt));
}
