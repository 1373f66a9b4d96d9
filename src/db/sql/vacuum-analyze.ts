import type { SqlClient } from '../database.js';

/** `vacuum analyze` of the whole database: PGlite runs no autovacuum. */
export async function vacuumAnalyze(sql: SqlClient): Promise<void> {
  await sql.query('vacuum analyze');
}
