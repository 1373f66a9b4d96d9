import type { SqlClient } from '../database.js';
import { rowOf, selectColumns } from '../raw-rows.js';
import { tickets } from '../schema.js';

const TICKET_COLUMNS = selectColumns(tickets, 't');

/**
 * Every ticket the message points at, in threading order: reply token, then the messages it
 * replies to (ours, including later parts of a split chat message, then the customer's own), then
 * the subject tag. One statement, as this runs for every reply, holding only the branches whose
 * hints the message carries: a mail with just a subject tag costs one index lookup, not five.
 * Each shape is a separate prepared statement (at most 7 shapes).
 */
function candidatesSql(hasNumbers: boolean, hasExternalIds: boolean, hasTag: boolean): string {
  const branches: string[] = [];
  // unnest + LATERAL … OFFSET 0 below steer the planner: docs/performance.md#fewer-combined-statements-per-message
  if (hasNumbers) branches.push('select t.id, 1 as rank from tickets t where t.number = any($1::int[])');
  if (hasExternalIds) {
    branches.push(
      `select m.ticket_id as id, 2 as rank from unnest($3::text[]) ref(external_id)
      cross join lateral (select d.message_id from deliveries d
        where d.channel = $2 and d.external_id = ref.external_id offset 0) d
      join messages m on m.id = d.message_id`,
      // OFFSET 0 keeps the channel test out of the GIN lookup (docs/performance.md).
      `select m.ticket_id as id, 2 as rank from (
        select d.message_id, d.channel from deliveries d where d.extra_external_ids ?| $3::text[] offset 0
      ) d join messages m on m.id = d.message_id
      where d.channel = $2`,
      `select m.ticket_id as id, 3 as rank from unnest($3::text[]) ref(external_id)
      cross join lateral (select m.ticket_id from messages m
        where m.channel = $2 and m.direction = 'inbound' and m.external_id = ref.external_id offset 0) m`,
    );
  }
  if (hasTag) branches.push('select t.id, 4 as rank from tickets t where t.number = $4');
  // Every branch names its columns: any of them may come first. Unused parameters still need
  // a type PostgreSQL can infer.
  const unused = [
    hasNumbers ? '' : '$1::int[] is null',
    hasExternalIds ? '' : '$2::text is null and $3::text[] is null',
    hasTag ? '' : '$4::int is null',
  ].filter(Boolean);
  // Tickets by primary key, one by one (LATERAL, OFFSET 0), never a hash join (docs/performance.md).
  return `select ${TICKET_COLUMNS}, refs.rank from (
    ${branches.join('\n    union all\n    ')}
  ) refs cross join lateral (select * from tickets where tickets.id = refs.id offset 0) t${unused.length ? `\n  where ${unused.join(' and ')}` : ''}
  order by refs.rank, t.id desc`;
}

/**
 * The tickets referenced by verified reply-token `numbers`, by `externalIds` (Message-IDs or chat
 * message ids on `channel`) of messages replied to, and by a subject tag `tagNumber`, in threading
 * order (see {@link candidatesSql}). Empty hints are left out of the statement.
 */
export async function threadCandidates(
  sql: SqlClient,
  params: { numbers: number[]; channel: string; externalIds: string[]; tagNumber?: number },
): Promise<(typeof tickets.$inferSelect)[]> {
  const { numbers, externalIds } = params;
  const hasTag = params.tagNumber !== undefined;
  if (numbers.length === 0 && externalIds.length === 0 && !hasTag) return [];
  const text = candidatesSql(numbers.length > 0, externalIds.length > 0, hasTag);
  const { rows } = await sql.query(text, [
    numbers.length > 0 ? numbers : null,
    externalIds.length > 0 ? params.channel : null,
    externalIds.length > 0 ? externalIds : null,
    params.tagNumber ?? null,
  ]);
  return rows.map((row) => rowOf(tickets, row, 't'));
}
