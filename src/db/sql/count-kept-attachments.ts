import type { SqlClient } from '../database.js';

/** How many attachments of the message have their content kept. */
export async function countKeptAttachments(sql: SqlClient, messageId: string): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(
    'select count(*)::int as n from attachments where message_id = $1 and content is not null',
    [messageId],
  );
  return Number(rows[0]?.n ?? 0);
}
