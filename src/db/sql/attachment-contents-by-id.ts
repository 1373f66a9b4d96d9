import type { SqlClient } from '../database.js';

/** One stored attachment's whole content, by its id. */
export interface AttachmentContentByIdRow {
  id: string;
  content: Uint8Array;
}

const SQL = `select a.id::text as id,
    a.content || coalesce((select string_agg(c.data, ''::bytea order by c.seq)
                           from attachment_chunks c where c.attachment_id = a.id), ''::bytea) as content
  from attachments a
  where a.id = any($1::bigint[]) and a.content is not null`;

/**
 * Kept attachments by id with their whole content (`attachments.content` followed by its pieces
 * in `attachment_chunks`, src/db/stored-chunks.ts). Ids no longer kept are absent from the result.
 * @param ids `attachments.id` values
 */
export async function attachmentContentsById(
  sql: SqlClient,
  ids: readonly string[],
): Promise<AttachmentContentByIdRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql.query<AttachmentContentByIdRow>(SQL, [`{${ids.join(',')}}`]);
  return rows;
}
