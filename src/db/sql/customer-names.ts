import type { SqlClient } from '../database.js';

const SQL = `select id::text as id, name from customers order by name, id limit $1`;

/** Customers' ids and names by name, at most `limit` (the staff ticket list's customer filter). */
export async function customerNames(
  sql: SqlClient,
  limit: number,
): Promise<Array<{ id: string; name: string }>> {
  const { rows } = await sql.query<{ id: string; name: string }>(SQL, [limit]);
  return rows;
}
