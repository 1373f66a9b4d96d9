import type { SqlClient } from '../database.js';

/** A Slack post whose files are not all uploaded yet, with its ticket's thread. */
export interface PendingSlackFileUpload {
  message_id: string;
  channel_id: string;
  thread_ts: string;
}

/** Posts whose files are not all uploaded yet, oldest first (at most 20). */
export async function pendingSlackFileUploads(sql: SqlClient): Promise<PendingSlackFileUpload[]> {
  const { rows } = await sql.query<PendingSlackFileUpload>(
    `select sp.message_id::text as message_id, sp.channel_id, st.thread_ts
     from slack_posts sp join messages m on m.id = sp.message_id
     join slack_threads st on st.ticket_id = m.ticket_id
     where sp.files_uploaded is not null order by sp.message_id limit 20`,
  );
  return rows;
}
