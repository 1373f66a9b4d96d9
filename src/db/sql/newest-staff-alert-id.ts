import type { SqlClient } from '../database.js';

/** The newest staff alert's id, or undefined when there is none. */
export async function newestStaffAlertId(sql: SqlClient): Promise<string | undefined> {
  const { rows } = await sql.query<{ id: string | null }>('select max(id)::text as id from staff_alerts');
  return rows[0]?.id ?? undefined;
}
