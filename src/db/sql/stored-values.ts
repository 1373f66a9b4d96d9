import type { SqlClient } from '../database.js';
import { StoredValueCut } from '../errors.js';
import { MAX_STORED_CHUNK_BYTES } from '../stored-chunks.js';

/** Bytes one read statement carries at most: a few pieces (src/db/stored-chunks.ts). */
export const READ_BYTES = 1024 * 1024;
// Sized by the largest piece ever stored, so a read of older 256 KB pieces stays within READ_BYTES too.
const PIECES_PER_READ = Math.max(1, Math.floor(READ_BYTES / MAX_STORED_CHUNK_BYTES));

/** Where each kind of large value keeps its first piece and the rest. */
const LAYOUT = {
  raw_input: {
    head: 'select data as piece from raw_inputs where id = $1',
    size: `select octet_length(r.data)::bigint + coalesce((select sum(octet_length(c.data))
             from raw_input_chunks c where c.raw_input_id = r.id), 0)::bigint as size
           from raw_inputs r where r.id = $1`,
    rest: `select seq, data from raw_input_chunks where raw_input_id = $1 and seq > $2
           order by seq limit ${PIECES_PER_READ}`,
  },
  attachment: {
    head: 'select content as piece from attachments where id = $1',
    size: `select octet_length(a.content)::bigint + coalesce((select sum(octet_length(c.data))
             from attachment_chunks c where c.attachment_id = a.id), 0)::bigint as size
           from attachments a where a.id = $1 and a.content is not null`,
    rest: `select seq, data from attachment_chunks where attachment_id = $1 and seq > $2
           order by seq limit ${PIECES_PER_READ}`,
  },
} as const;

export type StoredValueOwner = keyof typeof LAYOUT;

/**
 * The whole size in bytes of a raw input's data or a kept attachment's content (its first piece
 * and the rest), without reading it; undefined when there is no such value.
 */
export async function storedValueSize(
  sql: SqlClient,
  owner: StoredValueOwner,
  id: bigint | string,
): Promise<number | undefined> {
  const { rows } = await sql.query<{ size: string | number | null }>(LAYOUT[owner].size, [id.toString()]);
  const size = rows[0]?.size;
  return size === undefined || size === null ? undefined : Number(size);
}

/**
 * A raw input's data or an attachment's content in stored order, piece by piece: the row's own
 * piece, then the rest in reads of at most {@link READ_BYTES}, so no statement carries a whole
 * large value (the embedded store would grow its WASM heap by some 5× the value for good:
 * docs/hostile-mail.md). Not one transaction: pieces removed meanwhile (an erasure) end it with
 * {@link StoredValueCut} when `expectedBytes` is given, instead of a shorter value.
 */
export async function* storedValuePieces(
  sql: SqlClient,
  owner: StoredValueOwner,
  id: bigint | string,
  expectedBytes?: number,
): AsyncGenerator<Uint8Array> {
  const layout = LAYOUT[owner];
  const key = id.toString();
  const { rows } = await sql.query<{ piece: Uint8Array | null }>(layout.head, [key]);
  let bytes = 0;
  const head = rows[0]?.piece;
  if (head) {
    bytes += head.byteLength;
    yield head;
  }
  for (let seq = 0; head; ) {
    const rest = await sql.query<{ seq: number; data: Uint8Array }>(layout.rest, [key, seq]);
    for (const row of rest.rows) {
      bytes += row.data.byteLength;
      yield row.data;
      seq = row.seq;
    }
    if (rest.rows.length < PIECES_PER_READ) break;
  }
  if (expectedBytes !== undefined && bytes !== expectedBytes) throw new StoredValueCut(owner, key);
}

/** The whole value, joined in this process from reads of at most {@link READ_BYTES}. */
export async function readStoredValue(
  sql: SqlClient,
  owner: StoredValueOwner,
  id: bigint | string,
): Promise<Buffer> {
  const pieces: Uint8Array[] = [];
  for await (const piece of storedValuePieces(sql, owner, id)) pieces.push(piece);
  return Buffer.concat(pieces);
}
