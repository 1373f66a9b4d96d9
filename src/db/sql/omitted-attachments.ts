import type { SqlClient } from '../database.js';

/** The message's attachments whose content was not kept, with the reason. */
export async function omittedAttachments(
  sql: SqlClient,
  messageId: string,
): Promise<Array<{ filename: string; omitted_reason: string }>> {
  const { rows } = await sql.query<{ filename: string; omitted_reason: string }>(
    'select filename, omitted_reason from attachments where message_id = $1 and content is null',
    [messageId],
  );
  return rows;
}
