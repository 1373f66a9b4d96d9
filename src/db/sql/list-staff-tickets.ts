import type { SqlClient } from '../database.js';
import type { TicketStatus } from '../statuses.js';

/** First-contact state of a ticket (T2): not contacted and past due, due before today ends, met, missed. */
export const DEADLINE_STATES = ['overdue', 'due_today', 'met', 'missed'] as const;
export type DeadlineState = (typeof DEADLINE_STATES)[number];

/** The staff ticket list's filters (#25); all optional, combined with AND. */
export interface StaffTicketFilter {
  status?: TicketStatus;
  /** The ticket's origin channel (`email`, `telegram`, `slack`, `web`, …). */
  channel?: string;
  customerId?: bigint;
  /** Part of the customer's name, any case. */
  customerName?: string;
  /** A technician's name as stored in `tickets.assignee`; `null`: unassigned tickets. */
  assignee?: string | null;
  deadline?: DeadlineState;
  /** Web-search syntax ("quoted phrase", -not, or), stemmed in the language of each ticket. */
  search?: string;
  /** Keyset: only tickets numbered below this one (the last number of the previous page). */
  before?: number;
  /** Page size, 1 … 200. */
  limit: number;
  now: Date;
  /** When today ends in the business time zone (for `due_today`). */
  endOfToday: Date;
}

/** One row of the list. Headlines carry the markers HIGHLIGHT_START / HIGHLIGHT_END, unescaped. */
export interface StaffTicketRow {
  id: string;
  number: number;
  subject: string;
  status: TicketStatus;
  origin_channel: string;
  assignee: string | null;
  first_contact_due_at: Date | string | null;
  first_contact_at: Date | string | null;
  updated_at: Date | string;
  customer_id: string;
  customer_name: string;
  /** Search only: the subject with the matches marked. */
  subject_headline: string | null;
  /** Search only: fragments of the ticket's messages' text, with the matches marked. */
  snippet: string | null;
}

/** Start and end of a highlighted match in headlines (control characters stripped from the text first). */
export const HIGHLIGHT_START = '\u0001';
export const HIGHLIGHT_END = '\u0002';

const HEADLINE = `StartSel=${HIGHLIGHT_START}, StopSel=${HIGHLIGHT_END}`;
const SUBJECT_OPTIONS = `${HEADLINE}, HighlightAll=true`;
const SNIPPET_OPTIONS = `${HEADLINE}, MaxFragments=2, MaxWords=20, MinWords=8, FragmentDelimiter=" … "`;

/** The ticket's text search configuration: the customer's language (the migration's ticket_search_config). */
const CONFIG_SQL = `(case when c.locale like 'en%' then 'english'::regconfig else 'italian'::regconfig end)`;
/**
 * `<`, `>` and `&` in headline text stand in as these control characters, which the text parser
 * reads as blanks: no tag or entity token swallows the words around them (as in the index,
 * migration 0025's ticket_search_text). {@link headlineParts} puts them back.
 */
export const HEADLINE_STAND_INS: ReadonlyArray<readonly [string, string]> = [
  ['<', '\u0003'],
  ['>', '\u0004'],
  ['&', '\u0005'],
];

/**
 * Text fed to ts_headline: without the marker and stand-in characters (a message cannot fake a
 * highlight), then `<>&` replaced by their stand-ins.
 */
const clean = (column: string, chars: number) =>
  `translate(left(${column}, ${chars}), '<>&' || chr(1) || chr(2) || chr(3) || chr(4) || chr(5), chr(3) || chr(4) || chr(5))`;

/**
 * The search as the query parser gets it: `<`, `>` and `&` as spaces, as in the index (a pasted
 * `<HP>` or `R&D` searches its words).
 */
export function searchQueryText(search: string): string {
  return search.replace(/[<>&]/g, ' ').trim();
}

/**
 * Tickets for the staff list, newest first (keyset on the number), filtered, optionally by a
 * full-text search over the subject and what people wrote on the ticket (`tickets.search_vector`,
 * migrations 0019_ticket_search and 0025_search_people_text: not the bot's own texts): the
 * query is parsed with `websearch_to_tsquery` in the ticket's language (the customer's: `english`
 * or `italian`), so `stampante` finds `stampanti` and `printer` finds `printers`.
 * Headlines (ts_headline) are computed for the page's rows only. Returns up to `limit` rows.
 */
export async function listStaffTickets(sql: SqlClient, filter: StaffTicketFilter): Promise<StaffTicketRow[]> {
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const where: string[] = [];
  if (filter.status) where.push(`t.status = ${param(filter.status)}`);
  if (filter.channel) where.push(`t.origin_channel = ${param(filter.channel)}`);
  if (filter.customerId !== undefined) where.push(`t.customer_id = ${param(filter.customerId.toString())}`);
  if (filter.customerName) {
    const like = `%${filter.customerName.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(`c.name ilike ${param(like)}`);
  }
  if (filter.assignee === null) where.push('t.assignee is null');
  else if (filter.assignee !== undefined) where.push(`t.assignee = ${param(filter.assignee)}`);
  if (filter.before !== undefined) where.push(`t.number < ${param(filter.before)}`);
  switch (filter.deadline) {
    case 'overdue':
      where.push(`t.first_contact_at is null and t.first_contact_due_at < ${param(filter.now)}`);
      break;
    case 'due_today':
      where.push(
        `t.first_contact_at is null and t.first_contact_due_at >= ${param(filter.now)} and t.first_contact_due_at < ${param(filter.endOfToday)}`,
      );
      break;
    case 'met':
      where.push(
        't.first_contact_at is not null and (t.first_contact_due_at is null or t.first_contact_at <= t.first_contact_due_at)',
      );
      break;
    case 'missed':
      where.push('t.first_contact_at > t.first_contact_due_at');
      break;
  }
  const search = filter.search ? searchQueryText(filter.search) : undefined;
  let query: string | undefined;
  if (search) {
    const it = `websearch_to_tsquery('italian', ${param(search)})`;
    const en = `websearch_to_tsquery('english', $${params.length})`;
    // Each ticket is matched with its own language's query (so `-word` excludes in both); the
    // planner takes the OR of both conditions on the vector to the GIN index.
    where.push(
      `((t.search_vector @@ ${it} and c.locale not like 'en%') or (t.search_vector @@ ${en} and c.locale like 'en%'))`,
    );
    query = `(case when p.cfg = 'english'::regconfig then ${en} else ${it} end)`;
  }
  const limit = param(Math.min(200, Math.max(1, filter.limit)));
  const page = `select t.id, t.number, t.subject, t.status, t.origin_channel, t.assignee, t.first_contact_due_at,
      t.first_contact_at, t.updated_at, t.customer_id, c.name as customer_name, ${CONFIG_SQL} as cfg
    from tickets t join customers c on c.id = t.customer_id
    ${where.length ? `where ${where.join(' and ')}` : ''}
    order by t.number desc limit ${limit}`;
  // One headline per ticket over the text people wrote on it, as indexed (oldest first, the first
  // 20,000 characters): the text is parsed once, for the page's rows only.
  const headlines = query
    ? `ts_headline(p.cfg, ${clean('p.subject', 2000)}, ${query}, '${SUBJECT_OPTIONS}') as subject_headline,
       ts_headline(p.cfg, ${clean(
         `(select string_agg(left(m.new_text, 20000), ' … ' order by m.id)
          from messages m
          where m.ticket_id = p.id and message_in_search(m.direction, m.disposition, m.bot_text))`,
         20000,
       )}, ${query}, '${SNIPPET_OPTIONS}') as snippet`
    : 'null as subject_headline, null as snippet';
  const text = `select p.id::text as id, p.number, p.subject, p.status, p.origin_channel, p.assignee,
      p.first_contact_due_at, p.first_contact_at, p.updated_at, p.customer_id::text as customer_id,
      p.customer_name, ${headlines}
    from (${page}) p order by p.number desc`;
  const { rows } = await sql.query<StaffTicketRow>(text, params);
  return rows;
}
