import type { SqlClient } from '../database.js';
import { PENDING_DELIVERY_SQL } from '../statuses.js';
import {
  type ClaimedDeliveryRow,
  claimedColumns,
  DONE_COLUMNS,
  type FinishedRow,
  nextOfRecipientSql,
} from './delivery-shared.js';
import type { DeliveryJobInsertSql } from './insert-outbound-delivery.js';

/**
 * Marks a pending delivery `sent` with its external ids at `now`, and in the same statement either
 * claims the recipient's next due delivery until `chainLeaseUntil` (its columns then fill the
 * row) or, when `chainLeaseUntil` is null, gives that next one a job (`jobInsert`). One row.
 */
export async function completeDelivery(
  sql: SqlClient,
  jobInsert: DeliveryJobInsertSql,
  params: {
    deliveryId: bigint;
    externalId: string | null;
    extraExternalIds: string[] | null;
    now: Date;
    chainLeaseUntil: Date | null;
  },
): Promise<(FinishedRow & Partial<ClaimedDeliveryRow>) | undefined> {
  const { rows } = await sql.query<FinishedRow & Partial<ClaimedDeliveryRow>>(
    `with done as (
      update deliveries set status = 'sent', external_id = $2, extra_external_ids = $3::jsonb, sent_at = $4,
        last_error = null, next_attempt_at = null
      where id = $1 and status in (${PENDING_DELIVERY_SQL}) returning ${DONE_COLUMNS}
    ), ${nextOfRecipientSql('$4')}, claimed as (
      update deliveries c set status = 'sending', attempts = c.attempts + 1, next_attempt_at = $5
      from nxt where $5::timestamptz is not null and c.id = nxt.id and c.status in ('queued', 'retrying')
        and coalesce(c.next_attempt_at, '-infinity') <= $4
      returning ${claimedColumns('c')}, 'queued'::text as previous
    ), wake as (select id, status from nxt where $5::timestamptz is null
    ), job as (${jobInsert('wake')})
    select (select count(*)::int from done) as n, (select id::text from nxt) as next, claimed.*
    from (select 1) one left join claimed on true`,
    [
      params.deliveryId.toString(),
      params.externalId,
      params.extraExternalIds ? JSON.stringify(params.extraExternalIds) : null,
      params.now,
      params.chainLeaseUntil,
    ],
  );
  return rows[0];
}
