import type { SqlClient } from '../database.js';
import { PENDING_DELIVERY_SQL } from '../statuses.js';

/** Per channel, since when its oldest pending delivery due at `now` has been due (retry time or creation). */
export async function oldestDueDeliveryPerChannel(sql: SqlClient, now: Date): Promise<Map<string, Date>> {
  const { rows } = await sql.query<{ channel: string; oldest: Date | string }>(
    `select channel, min(coalesce(next_attempt_at, created_at)) as oldest from deliveries
     where status in (${PENDING_DELIVERY_SQL}) and coalesce(next_attempt_at, '-infinity') <= $1 group by channel`,
    [now],
  );
  return new Map(rows.map((row) => [row.channel, new Date(row.oldest)]));
}
