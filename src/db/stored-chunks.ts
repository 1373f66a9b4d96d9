/**
 * Large values stored in pieces (issue 17). The embedded store (PGlite) runs PostgreSQL on the main
 * thread: one statement carrying a 10 MB `bytea` blocked the event loop for 300–600 ms and grew
 * its WASM heap by ~40 MB for good. So a raw input or an attachment keeps its first
 * {@link STORE_CHUNK_BYTES} in its own row and the rest in `raw_input_chunks` / `attachment_chunks`,
 * one statement per piece; the embedded connection gives each large statement an event-loop turn
 * of its own. Readers take at most 1 MB of pieces per statement and stream or join them in this
 * process (`src/db/sql/stored-values.ts`). Measured: docs/hostile-mail.md, docs/performance.md.
 */

/**
 * Bytes of one stored piece. 64 KB: a Telegram update bringing 1 MB files stalled the event loop
 * 80–112 ms with 256 KB pieces (one statement each, with its file writes), 43–72 ms with 64 KB
 * (`BENCH_ONLY=hostile`, idle 2-core machine; docs/performance.md, *Event-loop stalls*).
 */
export const STORE_CHUNK_BYTES = 64 * 1024;

/** The largest piece stored: values written before 64 KB pieces, and migration 0023's, have 256 KB. */
export const MAX_STORED_CHUNK_BYTES = 256 * 1024;

/** A value split for the store: the first piece (kept in the row itself) and the rest, in order. */
export interface SplitValue {
  head: Uint8Array;
  rest: Uint8Array[];
}

/** Splits `data` into pieces of at most `chunkBytes` (views, no copy). */
export function splitForStore(data: Uint8Array, chunkBytes = STORE_CHUNK_BYTES): SplitValue {
  const rest: Uint8Array[] = [];
  for (let start = chunkBytes; start < data.byteLength; start += chunkBytes) {
    rest.push(data.subarray(start, Math.min(data.byteLength, start + chunkBytes)));
  }
  return { head: data.byteLength > chunkBytes ? data.subarray(0, chunkBytes) : data, rest };
}
