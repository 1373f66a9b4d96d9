import type { SqlClient } from '../database.js';

/**
 * The delivery becomes `failed` whatever its state but `cancelled` or `suppressed` (a bounce can
 * overtake our own `sent`). Returns its id, message id and recipient, or undefined.
 */
export async function failBouncedDelivery(
  sql: SqlClient,
  params: { deliveryId: bigint; reason: string },
): Promise<{ id: string; message_id: string; recipient_address: string } | undefined> {
  const { rows } = await sql.query<{ id: string; message_id: string; recipient_address: string }>(
    `update deliveries set status = 'failed', last_error = $2, next_attempt_at = null
     where id = $1 and status in ('queued', 'sending', 'retrying', 'sent', 'failed')
     returning id::text, message_id::text, recipient_address`,
    [params.deliveryId.toString(), params.reason],
  );
  return rows[0];
}
