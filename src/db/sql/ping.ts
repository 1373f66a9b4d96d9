import type { SqlClient } from '../database.js';

/** Runs `select 1`: throws when the database cannot answer (health checks). */
export async function ping(sql: SqlClient): Promise<void> {
  await sql.query('select 1');
}
