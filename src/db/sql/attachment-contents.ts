import type { SqlClient } from '../database.js';

/** A kept attachment of a message, its content whole. */
export interface AttachmentContentRow {
  filename: string;
  content: Uint8Array;
}

const SQL = `select a.filename,
    a.content || coalesce((select string_agg(c.data, ''::bytea order by c.seq)
                           from attachment_chunks c where c.attachment_id = a.id), ''::bytea) as content
  from attachments a
  where a.message_id = $1 and a.content is not null
  order by a.id`;

/**
 * The kept attachments of a message with their whole content: `attachments.content` followed by
 * its pieces in `attachment_chunks` (src/db/stored-chunks.ts), in stored order.
 * @param messageId `messages.id`
 */
export async function attachmentContents(
  sql: SqlClient,
  messageId: bigint | string,
): Promise<AttachmentContentRow[]> {
  const { rows } = await sql.query<AttachmentContentRow>(SQL, [messageId.toString()]);
  return rows;
}
