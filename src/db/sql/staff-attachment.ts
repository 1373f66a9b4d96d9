import type { SqlClient } from '../database.js';

/** A kept attachment of any message on a ticket, whole, for a signed-in staff member. */
export interface StaffAttachmentRow {
  filename: string;
  content: Uint8Array;
}

const SQL = `select a.filename,
    a.content || coalesce((select string_agg(c.data, ''::bytea order by c.seq)
                           from attachment_chunks c where c.attachment_id = a.id), ''::bytea) as content
  from attachments a join messages m on m.id = a.message_id
  where a.id = $1 and a.content is not null and m.ticket_id is not null`;

/**
 * The attachment `id` with its whole content (`attachments.content` and its pieces in
 * `attachment_chunks`), when kept and on a ticket; undefined otherwise.
 */
export async function staffAttachment(sql: SqlClient, id: bigint): Promise<StaffAttachmentRow | undefined> {
  const { rows } = await sql.query<StaffAttachmentRow>(SQL, [id.toString()]);
  return rows[0];
}
