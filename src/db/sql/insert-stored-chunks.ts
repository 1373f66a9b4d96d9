import type { SqlClient } from '../database.js';

/** The tables holding the pieces of a large value after its first (src/db/stored-chunks.ts). */
const TABLES = {
  raw_input: 'insert into raw_input_chunks (raw_input_id, seq, data) values ($1, $2, $3)',
  attachment: 'insert into attachment_chunks (attachment_id, seq, data) values ($1, $2, $3)',
} as const;

/**
 * Stores the pieces of a raw input's or an attachment's value after its first, `seq` 1, 2, …, one
 * statement per piece (each at most STORE_CHUNK_BYTES), inside the caller's transaction.
 * @param owner which value: a raw input's data or an attachment's content
 * @param ownerId `raw_inputs.id` or `attachments.id`
 * @param pieces the pieces after the first, in order
 */
export async function insertStoredChunks(
  sql: SqlClient,
  owner: keyof typeof TABLES,
  ownerId: bigint | string,
  pieces: readonly Uint8Array[],
): Promise<void> {
  for (let i = 0; i < pieces.length; i++) {
    await sql.query(TABLES[owner], [ownerId.toString(), i + 1, pieces[i]]);
  }
}
