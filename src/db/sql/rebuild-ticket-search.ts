import type { SqlClient } from '../database.js';

/**
 * Recomputes the tickets' full-text search vectors from their current subject and the texts
 * people wrote on them (SQL function `ticket_search_vector`, migration 0025; the triggers only
 * ever add lexemes). Erasure (T8) calls it after replacing the texts, so no erased word stays
 * findable.
 */
export async function rebuildTicketSearch(sql: SqlClient, ticketIds: readonly string[]): Promise<void> {
  await sql.query(
    'update tickets set search_vector = ticket_search_vector(id) where id = any($1::bigint[])',
    [ticketIds],
  );
}
