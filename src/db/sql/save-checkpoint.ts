import type { SqlClient } from '../database.js';

/**
 * Stores `value` (as jsonb) under checkpoint `key`: replaces it with `updatedAt`, or, with
 * `onlyIfAbsent`, only writes a key that is not stored yet.
 */
export async function saveCheckpoint(
  sql: SqlClient,
  params: { key: string; value: unknown; updatedAt?: Date; onlyIfAbsent?: boolean },
): Promise<void> {
  if (params.onlyIfAbsent) {
    await sql.query(
      `insert into channel_checkpoints (key, value) values ($1, $2::jsonb) on conflict (key) do nothing`,
      [params.key, JSON.stringify(params.value)],
    );
    return;
  }
  await sql.query(
    `insert into channel_checkpoints (key, value, updated_at) values ($1, $2::jsonb, $3)
     on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at`,
    [params.key, JSON.stringify(params.value), params.updatedAt],
  );
}
