import type { RunningApp } from '../src/app.js';
import { DEFAULT_BUSINESS_CALENDAR } from '../src/core/business-calendar.js';
import { endOfLocalDay, findTickets, type TicketQuery } from '../src/core/ticket-search.js';
import { messagesFor } from '../src/web/i18n.js';
import { TicketList } from '../src/web/staff/ticket-list-page.js';
import { ticketTexts } from '../src/web/staff/ticket-texts.js';
import { renderPage } from '../src/web/views/layout.js';
import { openBenchStore, startBenchApp } from './bench-app.js';
import { now } from './stats.js';

export interface TicketsResult {
  tickets: number;
  messages: number;
  seedSeconds: number;
  /** Staff ticket list pages (query and HTML), each filter set in turn, ms. */
  listPage: number[];
  /** Full-text searches (query with headlines, and HTML), ms. */
  searchPage: number[];
  /** Tickets the search word finds (of `tickets`). */
  searchMatches: number;
}

const WORDS = `problema computer rete stampa posta server backup password aggiornamento lento errore schermo
  tastiera mouse ufficio collegamento internet router disco memoria licenza programma cliente fattura
  telefono sito dominio certificato antivirus virus cartella file condivisa utente accesso sistema
  installazione configurazione portatile monitor cavo scanner archivio`
  .trim()
  .split(/\s+/);

const pick = (seed: string, count: number) =>
  `array_to_string(array(select (array[${WORDS.map((w) => `'${w}'`).join(',')}])[1 + ((${seed})::bigint * 7919 + k * 104729) % ${WORDS.length}] from generate_series(1, ${count}) k), ' ')`;

/**
 * Seeds `tickets` tickets with `perTicket` messages each in SQL (generate_series), as fast as the
 * store allows: the per-message search trigger is off during the load and the vectors are built
 * in one statement afterwards, as the migration's backfill does. One ticket in 40 has a message
 * saying `stampanti`.
 */
export async function seedTickets(app: RunningApp, tickets: number, perTicket: number): Promise<void> {
  const sql = app.database.sql;
  await sql.query(`insert into customers (name, status, locale)
    select 'Cliente ' || i, 'active', case when i % 10 = 0 then 'en' else 'it' end
    from generate_series(1, 2000) i`);
  await sql.query('alter table tickets disable trigger tickets_search_subject');
  await sql.query('alter table messages disable trigger messages_search_ticket');
  const statuses = `(array['new','open','waiting_customer','scheduled','in_progress','resolved','closed'])`;
  const channels = `(array['email','telegram','slack','web'])`;
  const step = 10_000;
  for (let from = 1; from <= tickets; from += step) {
    const to = Math.min(tickets, from + step - 1);
    await sql.query(`insert into tickets (customer_id, subject, status, origin_channel, assignee,
        first_contact_due_at, first_contact_at, created_at, updated_at)
      select (select min(id) from customers) + (i % 2000), initcap(${pick('i', 4)}),
        ${statuses}[1 + i % 7], ${channels}[1 + i % 4],
        case when i % 3 = 0 then null else (array['Anna','Marco','Luca','Sara'])[1 + i % 4] end,
        now() + ((i % 200) - 150) * interval '1 hour',
        case when i % 2 = 0 then now() + ((i % 200) - 160) * interval '1 hour' else null end,
        now() - (${tickets} - i) * interval '1 minute', now() - (${tickets} - i) * interval '1 minute'
      from generate_series(${from}, ${to}) i`);
  }
  const first = Number((await sql.query<{ n: string }>('select min(id)::text as n from tickets')).rows[0]!.n);
  for (let from = 0; from < tickets; from += step) {
    const to = Math.min(tickets, from + step) - 1;
    await sql.query(`insert into messages (ticket_id, direction, channel, author, new_text, full_text, created_at)
      select ${first} + i, case when j = 1 or j % 2 = 1 then 'inbound' else 'outbound' end, 'email',
        case when j % 2 = 0 then 'Anna' end, t.body, t.body, now()
      from generate_series(${from}, ${to}) i, generate_series(1, ${perTicket}) j,
        lateral (select ${pick('(i * 13 + j)', 24)}
          || case when i % 40 = 0 and j = 1 then ' le stampanti non stampano' else '' end as body) t`);
  }
  // The vectors in one statement, as the migrations' backfill does.
  await sql.query('update tickets set search_vector = ticket_search_vector(id)');
  await sql.query('alter table tickets enable trigger tickets_search_subject');
  await sql.query('alter table messages enable trigger messages_search_ticket');
  await sql.query('vacuum analyze tickets');
  await sql.query('vacuum analyze messages');
  await sql.query('analyze customers');
}

/** The list body as the page renders it (the layout around it is the staff foundation's). */
export async function page(app: RunningApp, query: TicketQuery): Promise<number> {
  const start = now();
  const result = await findTickets(app.core, query);
  const at = app.core.now();
  const t = ticketTexts('it');
  const ctx = { t: messagesFor('it'), csrfToken: 'x', signedIn: true, path: '/staff/tickets' };
  const filters = {
    q: query.search ?? '',
    status: query.status ?? '',
    channel: '',
    customer: '',
    customer_id: '',
    assignee: '',
    deadline: '',
  };
  renderPage(
    TicketList({
      ctx,
      t,
      filters,
      me: 'Anna',
      page: result,
      paged: query.before !== undefined,
      now: at,
      endOfToday: endOfLocalDay(at, DEFAULT_BUSINESS_CALENDAR.timeZone),
    }),
  );
  return now() - start;
}

/**
 * Staff ticket list and search (#25) on `tickets` tickets and `tickets × perTicket` messages:
 * `samples` loads of list pages (no filter, a status, an assignee, overdue first contacts, the
 * second page) and of searches (`stampante`, alone and with a status), p95 in run.ts.
 */
export async function benchTickets(options: {
  tickets: number;
  perTicket: number;
  samples: number;
}): Promise<TicketsResult> {
  const store = await openBenchStore();
  const app = await startBenchApp(store, { workers: false, adapters: () => [] });
  try {
    const started = now();
    await seedTickets(app, options.tickets, options.perTicket);
    const seedSeconds = (now() - started) / 1000;
    const newest = (await findTickets(app.core, {})).rows[0]!.number;
    const lists: TicketQuery[] = [
      {},
      { status: 'open' },
      { assignee: 'Marco' },
      { deadline: 'overdue' },
      { before: newest - 50 },
      { channel: 'telegram', status: 'new' },
    ];
    const searches: TicketQuery[] = [{ search: 'stampante' }, { search: 'stampante', status: 'open' }];
    const listPage: number[] = [];
    const searchPage: number[] = [];
    for (const query of [...lists, ...searches]) await page(app, query); // warm-up
    for (let i = 0; i < options.samples; i++) {
      listPage.push(await page(app, lists[i % lists.length]!));
      searchPage.push(await page(app, searches[i % searches.length]!));
    }
    const { rows } = await app.database.sql.query<{ n: string }>(
      `select count(*)::text as n from tickets where search_vector @@ websearch_to_tsquery('italian', 'stampante')`,
    );
    return {
      tickets: options.tickets,
      messages: options.tickets * options.perTicket,
      seedSeconds,
      listPage,
      searchPage,
      searchMatches: Number(rows[0]!.n),
    };
  } finally {
    await app.stop();
    await store.drop();
  }
}
