import type { SqlClient } from '../database.js';
import { readStoredValue } from './stored-values.js';

/** One stored attachment's whole content, by its id. */
export interface AttachmentContentByIdRow {
  id: string;
  content: Uint8Array;
}

const SQL =
  'select a.id::text as id from attachments a where a.id = any($1::bigint[]) and a.content is not null';

/**
 * Kept attachments by id with their whole content, each joined here from reads of at most 1 MB
 * (`attachments.content` and its pieces in `attachment_chunks`, src/db/stored-chunks.ts). Ids no
 * longer kept are absent from the result.
 * @param ids `attachments.id` values
 */
export async function attachmentContentsById(
  sql: SqlClient,
  ids: readonly string[],
): Promise<AttachmentContentByIdRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql.query<{ id: string }>(SQL, [`{${ids.join(',')}}`]);
  const files: AttachmentContentByIdRow[] = [];
  for (const row of rows)
    files.push({ id: row.id, content: await readStoredValue(sql, 'attachment', row.id) });
  return files;
}
