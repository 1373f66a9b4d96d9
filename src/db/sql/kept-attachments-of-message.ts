import type { SqlClient } from '../database.js';

/** An attachment whose content was kept, without the content. */
export interface KeptAttachmentRow {
  id: string;
  filename: string;
  content_type: string;
  size: number;
}

/** The message's attachments with kept content, in the order they were stored. */
export async function keptAttachmentsOfMessage(
  sql: SqlClient,
  messageId: bigint,
): Promise<KeptAttachmentRow[]> {
  const { rows } = await sql.query<KeptAttachmentRow>(
    `select id::text, filename, content_type, size from attachments
     where message_id = $1 and content is not null order by id`,
    [messageId.toString()],
  );
  return rows;
}
