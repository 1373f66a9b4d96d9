import type { SqlClient } from '../database.js';

/**
 * How many of the message's files are uploaded to Slack so far; null once all are (or none were
 * due), undefined when the message has no Slack post.
 */
export async function slackFilesUploaded(
  sql: SqlClient,
  messageId: string,
): Promise<number | null | undefined> {
  const { rows } = await sql.query<{ files_uploaded: number | null }>(
    'select files_uploaded from slack_posts where message_id = $1',
    [messageId],
  );
  return rows[0]?.files_uploaded;
}
