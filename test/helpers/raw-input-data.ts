import type { SqlClient } from '../../src/db/database.js';
import { readStoredValue } from '../../src/db/sql/stored-values.js';

/**
 * Test helper: SQL for the whole kept bytes of the raw input aliased `alias`: `data` followed by its pieces in
 * `raw_input_chunks` (src/db/stored-chunks.ts), in order. One statement carries the whole value:
 * for small inputs only (the app reads large values piece by piece, src/db/sql/stored-values.ts).
 */
export function wholeRawInputData(alias: string): string {
  return `(${alias}.data || coalesce((select string_agg(c.data, ''::bytea order by c.seq)
    from raw_input_chunks c where c.raw_input_id = ${alias}.id), ''::bytea))`;
}

/**
 * The kept bytes of a raw input, whole (its first piece and the rest, read as the app reads them);
 * undefined when there is no such raw input.
 * @param rawInputId `raw_inputs.id`
 */
export async function rawInputData(
  sql: SqlClient,
  rawInputId: bigint | string,
): Promise<Uint8Array | undefined> {
  const { rows } = await sql.query('select 1 from raw_inputs where id = $1', [rawInputId.toString()]);
  return rows.length ? readStoredValue(sql, 'raw_input', rawInputId) : undefined;
}
