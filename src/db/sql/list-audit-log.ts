import type { SqlClient } from '../database.js';

export interface AuditFilter {
  /** Entries whose actor is one of `exact`, or one of `lowerCase` once lower-cased (src/core/actors.ts). */
  actors?: { exact: string[]; lowerCase: string[] };
  /** An action, or its prefix ending in `.` (`ticket.` for every ticket action). */
  action?: string;
  ticketNumber?: number;
  customerId?: bigint;
  from?: Date;
  to?: Date;
  /** Keyset: entries older than this id. */
  beforeId?: bigint;
  limit: number;
}

export interface AuditRow {
  id: bigint;
  at: Date;
  actor: string;
  action: string;
  ticketNumber: number | null;
  customerId: bigint | null;
  customerName: string | null;
  data: unknown;
}

/** Audit entries matching `filter`, newest first, `limit` of them from `beforeId` on (#25, read-only). */
export async function listAuditLog(sql: SqlClient, filter: AuditFilter): Promise<AuditRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (filter.actors) {
    params.push(filter.actors.exact, filter.actors.lowerCase);
    const [exact, lower] = [`$${params.length - 1}`, `$${params.length}`];
    where.push(`(a.actor = any(${exact}::text[]) or lower(a.actor) = any(${lower}::text[]))`);
  }
  if (filter.action?.endsWith('.')) add((p) => `starts_with(a.action, ${p})`, filter.action);
  else if (filter.action) add((p) => `a.action = ${p}`, filter.action);
  if (filter.ticketNumber !== undefined) add((p) => `t.number = ${p}`, filter.ticketNumber);
  if (filter.customerId !== undefined) add((p) => `a.customer_id = ${p}`, filter.customerId.toString());
  if (filter.from) add((p) => `a.at >= ${p}`, filter.from);
  if (filter.to) add((p) => `a.at < ${p}`, filter.to);
  if (filter.beforeId !== undefined) add((p) => `a.id < ${p}`, filter.beforeId.toString());
  params.push(filter.limit);
  const { rows } = await sql.query<{
    id: string;
    at: Date | string;
    actor: string;
    action: string;
    number: number | null;
    customer_id: string | null;
    name: string | null;
    data: unknown;
  }>(
    `select a.id::text as id, a.at, a.actor, a.action, t.number, a.customer_id::text as customer_id,
            c.name, a.data
       from audit_log a
       left join tickets t on t.id = a.ticket_id
       left join customers c on c.id = a.customer_id
      ${where.length ? `where ${where.join(' and ')}` : ''}
      order by a.id desc
      limit $${params.length}`,
    params,
  );
  return rows.map((r) => ({
    id: BigInt(r.id),
    at: new Date(r.at),
    actor: r.actor,
    action: r.action,
    ticketNumber: r.number,
    customerId: r.customer_id === null ? null : BigInt(r.customer_id),
    customerName: r.name,
    data: r.data,
  }));
}
