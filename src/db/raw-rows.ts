import { getTableColumns } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

/**
 * Hand-written SQL for the ingest hot path, with rows mapped back to Drizzle's row types. On the
 * embedded store Drizzle's per-query building and mapping cost as much as the query itself, so
 * the few statements every message runs are written once as SQL text; Drizzle's own column
 * mappers keep the row types identical to `typeof table.$inferSelect`.
 */

/** `alias."col" as "alias.col", …` for every column of `table`. */
export function selectColumns(table: PgTable, alias: string): string {
  return Object.values(getTableColumns(table))
    .map((column) => `${alias}."${column.name}" as "${alias}.${column.name}"`)
    .join(', ');
}

/** Maps the `alias.col` fields of a raw row to the table's row type. */
export function rowOf<T extends PgTable>(
  table: T,
  row: Record<string, unknown>,
  alias: string,
): T['$inferSelect'] {
  const out: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = row[`${alias}.${column.name}`];
    out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return out as T['$inferSelect'];
}
