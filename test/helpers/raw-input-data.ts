import type { SqlClient } from '../../src/db/database.js';

/**
 * Test helper: SQL for the whole kept bytes of the raw input aliased `alias`: `data` followed by its pieces in
 * `raw_input_chunks` (src/db/stored-chunks.ts), in order.
 */
export function wholeRawInputData(alias: string): string {
  return `(${alias}.data || coalesce((select string_agg(c.data, ''::bytea order by c.seq)
    from raw_input_chunks c where c.raw_input_id = ${alias}.id), ''::bytea))`;
}

const SQL = `select ${wholeRawInputData('r')} as data from raw_inputs r where r.id = $1`;

/**
 * The kept bytes of a raw input, whole (its first piece and the rest, src/db/stored-chunks.ts);
 * undefined when there is no such raw input.
 * @param rawInputId `raw_inputs.id`
 */
export async function rawInputData(
  sql: SqlClient,
  rawInputId: bigint | string,
): Promise<Uint8Array | undefined> {
  const { rows } = await sql.query<{ data: Uint8Array }>(SQL, [rawInputId.toString()]);
  return rows[0]?.data;
}
