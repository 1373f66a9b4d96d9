import type { SqlClient } from '../database.js';

/**
 * Recomputes the tickets' full-text search vectors from their current subject and message texts
 * (migration 0019's triggers only ever add lexemes). Erasure (T8) calls it after replacing the
 * texts, so no erased word stays findable.
 */
export async function rebuildTicketSearch(sql: SqlClient, ticketIds: readonly string[]): Promise<void> {
  await sql.query(
    `update tickets t set search_vector =
       setweight(to_tsvector(coalesce(ticket_search_config(t.customer_id), 'italian'::regconfig),
                             ticket_search_text(t.subject)), 'A')
       || coalesce((
         select to_tsvector(coalesce(ticket_search_config(t.customer_id), 'italian'::regconfig),
                            left(string_agg(ticket_search_text(m.new_text), ' ' order by m.id), 300000))
         from messages m where m.ticket_id = t.id
       ), ''::tsvector)
     where t.id = any($1::bigint[])`,
    [ticketIds],
  );
}
