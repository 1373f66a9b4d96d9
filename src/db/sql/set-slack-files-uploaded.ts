import type { SqlClient } from '../database.js';

/** Records how many of the message's files are uploaded to Slack; null when all are. */
export async function setSlackFilesUploaded(
  sql: SqlClient,
  messageId: string,
  count: number | null,
): Promise<void> {
  await sql.query('update slack_posts set files_uploaded = $2 where message_id = $1', [messageId, count]);
}
