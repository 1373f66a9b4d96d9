import type { SqlClient } from '../database.js';

/** Tickets opened in [from, to) per channel they came from (`origin_channel`), most first (#25). */
export async function reportTicketsPerChannel(
  sql: SqlClient,
  range: { from: Date; to: Date },
): Promise<Array<{ channel: string; tickets: number }>> {
  const { rows } = await sql.query<{ channel: string; tickets: number }>(
    `select origin_channel as channel, count(*)::int as tickets
       from tickets
      where created_at >= $1 and created_at < $2
      group by origin_channel
      order by tickets desc, channel`,
    [range.from, range.to],
  );
  return rows;
}
