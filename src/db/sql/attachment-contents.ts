import type { SqlClient } from '../database.js';
import { readStoredValue } from './stored-values.js';

/** A kept attachment of a message, its content whole. */
export interface AttachmentContentRow {
  filename: string;
  content: Uint8Array;
}

const SQL = `select a.id::text as id, a.filename from attachments a
  where a.message_id = $1 and a.content is not null
  order by a.id`;

/**
 * The kept attachments of a message with their whole content, each joined here from reads of at
 * most 1 MB (`attachments.content` and its pieces in `attachment_chunks`, src/db/stored-chunks.ts).
 * @param messageId `messages.id`
 */
export async function attachmentContents(
  sql: SqlClient,
  messageId: bigint | string,
): Promise<AttachmentContentRow[]> {
  const { rows } = await sql.query<{ id: string; filename: string }>(SQL, [messageId.toString()]);
  const files: AttachmentContentRow[] = [];
  for (const row of rows) {
    files.push({ filename: row.filename, content: await readStoredValue(sql, 'attachment', row.id) });
  }
  return files;
}
