/** SQL fragments and the row shape the delivery statements of this folder share. */
import { PENDING_DELIVERY_SQL } from '../statuses.js';

/** A delivery row as a claim returns it (`previous`: its status before the claim). */
export interface ClaimedDeliveryRow {
  id: string;
  message_id: string;
  channel: string;
  recipient_kind: string;
  recipient_address: string;
  payload: unknown;
  attempts: number;
  created_at: Date | string;
  previous: string;
}

/** The columns of {@link ClaimedDeliveryRow} but `previous`, of the delivery aliased `alias`. */
export function claimedColumns(alias: string): string {
  return `${alias}.id::text, ${alias}.message_id::text, ${alias}.channel, ${alias}.recipient_kind,
    ${alias}.recipient_address, ${alias}.payload, ${alias}.attempts, ${alias}.created_at`;
}

/** Same recipient on the same channel as delivery `d`, created earlier, still pending: sent first. */
export const OLDER_PENDING = `exists (select 1 from deliveries o where o.channel = d.channel
    and o.recipient_kind = d.recipient_kind and o.recipient_address = d.recipient_address
    and o.id < d.id and o.status in (${PENDING_DELIVERY_SQL}))`;

/** The columns a finished delivery's CTE `done` returns, for {@link nextOfRecipientSql}. */
export const DONE_COLUMNS = 'id, channel, recipient_kind, recipient_address';

/**
 * The recipient's oldest pending delivery once the one in CTE `done` (columns `id`, `channel`,
 * `recipient_kind`, `recipient_address`) is finished, as CTE `nxt` (`id`, `status`), when it can
 * be sent now (queued or retrying, and due): it waited behind `done`. Nothing when the head is
 * leased or waits for its retry (its own worker or job goes on from there).
 */
export function nextOfRecipientSql(nowParam: string): string {
  return `head as (
      select n.id, n.status, n.next_attempt_at from deliveries n join done
        on n.channel = done.channel and n.recipient_kind = done.recipient_kind
          and n.recipient_address = done.recipient_address
      where n.id <> done.id and n.status in (${PENDING_DELIVERY_SQL})
      order by n.id limit 1
    ), nxt as (
      select id, 'queued'::text as status from head
      where status in ('queued', 'retrying') and coalesce(next_attempt_at, '-infinity') <= ${nowParam}
    )`;
}

/** What finishing a delivery did: how many rows this statement finished (0 or 1), and the next one it woke. */
export interface FinishedRow {
  n: number;
  next: string | null;
}
