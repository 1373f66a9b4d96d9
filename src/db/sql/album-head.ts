import type { SqlClient } from '../database.js';

export interface AlbumHeadRow {
  id: bigint;
  ticketId: bigint | null;
  customerId: bigint | null;
  externalId: string | null;
}

// The sender is part of the key: only its author's later items join a message.
const HEAD_SQL = `select id::text as id, ticket_id::text as ticket_id, customer_id::text as customer_id,
    external_id from messages
  where channel = $1 and group_key = $2 and direction = 'inbound' and part_of_message_id is null
    and sender_kind = $3 and sender_address = $4
  order by id limit 1`;

/** The first stored inbound message of group `groupKey` on `channel` from this sender, or undefined. */
export async function albumHead(
  sql: SqlClient,
  params: { channel: string; groupKey: string; senderKind: string; senderAddress: string },
): Promise<AlbumHeadRow | undefined> {
  const { rows } = await sql.query<{
    id: string;
    ticket_id: string | null;
    customer_id: string | null;
    external_id: string | null;
  }>(HEAD_SQL, [params.channel, params.groupKey, params.senderKind, params.senderAddress]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: BigInt(row.id),
    ticketId: row.ticket_id === null ? null : BigInt(row.ticket_id),
    customerId: row.customer_id === null ? null : BigInt(row.customer_id),
    externalId: row.external_id,
  };
}
