import type { SqlClient } from '../database.js';
import { DONE_COLUMNS, type FinishedRow, nextOfRecipientSql } from './delivery-shared.js';
import type { DeliveryJobInsertSql } from './insert-outbound-delivery.js';

/**
 * A `sending` delivery still held by the claim numbered `attempts` becomes `failed`; the
 * recipient's next due delivery gets a job (`jobInsert`), in the same statement.
 */
export async function failDelivery(
  sql: SqlClient,
  jobInsert: DeliveryJobInsertSql,
  params: { deliveryId: bigint; attempts: number; reason: string; now: Date },
): Promise<FinishedRow | undefined> {
  const { rows } = await sql.query<FinishedRow>(
    `with done as (
      update deliveries set status = 'failed', last_error = $3, next_attempt_at = null
      where id = $1 and status = 'sending' and attempts = $2 returning ${DONE_COLUMNS}
    ), ${nextOfRecipientSql('$4')}, job as (${jobInsert('nxt')})
    select (select count(*)::int from done) as n, (select id::text from nxt) as next`,
    [params.deliveryId.toString(), params.attempts, params.reason, params.now],
  );
  return rows[0];
}
