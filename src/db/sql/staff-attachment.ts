import type { SqlClient } from '../database.js';
import { readStoredValue } from './stored-values.js';

/** A kept attachment of any message on a ticket, whole, for a signed-in staff member. */
export interface StaffAttachmentRow {
  filename: string;
  content: Uint8Array;
}

const SQL = `select a.filename from attachments a join messages m on m.id = a.message_id
  where a.id = $1 and a.content is not null and m.ticket_id is not null`;

/**
 * The attachment `id` with its whole content (joined here from reads of at most 1 MB of
 * `attachments.content` and its pieces in `attachment_chunks`), when kept and on a ticket;
 * undefined otherwise.
 */
export async function staffAttachment(sql: SqlClient, id: bigint): Promise<StaffAttachmentRow | undefined> {
  const { rows } = await sql.query<{ filename: string }>(SQL, [id.toString()]);
  if (!rows[0]) return undefined;
  return { filename: rows[0].filename, content: await readStoredValue(sql, 'attachment', id) };
}
