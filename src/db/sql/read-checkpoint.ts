import type { SqlClient } from '../database.js';

/** The stored value of checkpoint `key` (jsonb, as the driver returns it), or undefined. */
export async function readCheckpoint(sql: SqlClient, key: string): Promise<unknown> {
  const { rows } = await sql.query<{ value: unknown }>(
    'select value from channel_checkpoints where key = $1',
    [key],
  );
  return rows[0]?.value;
}
