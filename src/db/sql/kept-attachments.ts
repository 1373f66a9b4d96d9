import type { SqlClient } from '../database.js';

/** The message's attachments whose content was kept, in the order they were stored. */
export async function keptAttachments(
  sql: SqlClient,
  messageId: string,
): Promise<Array<{ filename: string; content: Uint8Array }>> {
  const { rows } = await sql.query<{ filename: string; content: Uint8Array }>(
    'select filename, content from attachments where message_id = $1 and content is not null order by id',
    [messageId],
  );
  return rows;
}
