import { and, asc, eq, ilike, or, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../database.js';
import { customers } from '../schema.js';
import type { CustomerStatus } from '../statuses.js';

/** `%`, `_` and `\` typed by a user match themselves in a LIKE pattern. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export interface CustomerListRow {
  id: bigint;
  name: string;
  kind: string;
  status: string;
  acceptedTermsVersion: string | null;
  hourlyRateCents: number | null;
  createdAt: Date;
  /** The customer's email addresses (identities), in the order they were added. */
  emails: string[];
}

/**
 * Customers by name, one page: those whose name or an email identity contains `query`
 * (case-insensitive), of one status when given. `total` counts every match.
 */
export async function searchCustomers(
  db: Db,
  params: { query?: string; status?: CustomerStatus; limit: number; offset: number },
): Promise<{ rows: CustomerListRow[]; total: number }> {
  const filters: SQL[] = [];
  if (params.status) filters.push(eq(customers.status, params.status));
  const query = params.query?.trim();
  if (query) {
    const pattern = `%${likeLiteral(query)}%`;
    filters.push(
      or(
        ilike(customers.name, pattern),
        sql`exists (select 1 from identities i where i.customer_id = "customers"."id"
          and i.kind in ('email', 'web') and i.address ilike ${pattern})`,
      )!,
    );
  }
  const where = and(...filters);
  const rows = await db
    .select({
      id: customers.id,
      name: customers.name,
      kind: customers.kind,
      status: customers.status,
      acceptedTermsVersion: customers.acceptedTermsVersion,
      hourlyRateCents: customers.hourlyRateCents,
      createdAt: customers.createdAt,
      emails: sql<string[]>`coalesce((select array_agg(i.address order by i.id) from identities i
        where i.customer_id = "customers"."id" and i.kind = 'email'), '{}')`,
    })
    .from(customers)
    .where(where)
    .orderBy(asc(customers.name), asc(customers.id))
    .limit(params.limit)
    .offset(params.offset);
  const [counted] = await db.select({ n: sql<number>`count(*)::int` }).from(customers).where(where);
  return { rows, total: counted?.n ?? 0 };
}
