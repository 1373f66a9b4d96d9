import type { SqlClient } from '../database.js';

export interface FirstContactWeekRow {
  /** Monday of the week (`YYYY-MM-DD`, business time zone) the deadline fell in. */
  week: string;
  met: number;
  missed: number;
  /** Deadline still ahead, not contacted yet. */
  pending: number;
}

/**
 * First-contact deadlines (T2) due in [from, to), per local week (Monday first): met when the
 * first contact came by the deadline; missed when it came later, or never and the deadline has
 * passed (`now`) with the ticket still open at it; a ticket resolved or closed before its deadline
 * without a contact counts in neither.
 */
export async function reportFirstContactWeeks(
  sql: SqlClient,
  range: { from: Date; to: Date; timeZone: string; now: Date },
): Promise<FirstContactWeekRow[]> {
  const { rows } = await sql.query<FirstContactWeekRow>(
    `select to_char(date_trunc('week', first_contact_due_at at time zone $3), 'YYYY-MM-DD') as week,
            count(*) filter (where first_contact_at <= first_contact_due_at)::int as met,
            count(*) filter (where first_contact_at > first_contact_due_at
                               or (first_contact_at is null and first_contact_due_at <= $4
                                   and coalesce(resolved_at, closed_at, 'infinity') >= first_contact_due_at))::int as missed,
            count(*) filter (where first_contact_at is null and first_contact_due_at > $4)::int as pending
       from tickets
      where first_contact_due_at >= $1 and first_contact_due_at < $2
      group by week
      order by week`,
    [range.from, range.to, range.timeZone, range.now],
  );
  return rows;
}
