import type { SqlClient } from '../database.js';
import { rowOf, selectColumns } from '../raw-rows.js';
import { customers, identities } from '../schema.js';

export interface SenderRow {
  identity: typeof identities.$inferSelect;
  customer: typeof customers.$inferSelect;
}

const SENDER_SQL = `select ${selectColumns(identities, 'i')}, ${selectColumns(customers, 'c')}
  from identities i join customers c on c.id = i.customer_id
  where i.kind = $1 and i.address = $2 and i.verified limit 1`;

/** The verified identity `kind`/`address` (already normalised) and its customer, or undefined. */
export async function findSender(
  sql: SqlClient,
  params: { kind: string; address: string },
): Promise<SenderRow | undefined> {
  const { rows } = await sql.query(SENDER_SQL, [params.kind, params.address]);
  const row = rows[0];
  return row ? { identity: rowOf(identities, row, 'i'), customer: rowOf(customers, row, 'c') } : undefined;
}
