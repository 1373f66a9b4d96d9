import type { SqlClient } from '../database.js';

/**
 * The names of `customerIds`, in the order the staff reports list customers (#25): by name, then
 * id, as the database collates them (the monthly report's order too). Unknown ids are left out.
 */
export async function reportCustomerNames(
  sql: SqlClient,
  customerIds: readonly string[],
): Promise<Array<{ customerId: string; name: string }>> {
  if (customerIds.length === 0) return [];
  const { rows } = await sql.query<{ customer_id: string; name: string }>(
    `select id::text as customer_id, name from customers where id = any($1::bigint[]) order by name, id`,
    [customerIds],
  );
  return rows.map((r) => ({ customerId: r.customer_id, name: r.name }));
}
