import type { RunningApp } from '../src/app.js';
import { exportForInvoicing } from '../src/core/billing/hours-report.js';
import { DEFAULT_BUSINESS_CALENDAR, instantToZoned } from '../src/core/business-calendar.js';
import { shiftMonth } from '../src/core/reports/periods.js';

/**
 * Bulk data for the reports bench (#25): `customers` customers, `tickets` tickets spread over the
 * year before `now` (every status and channel, first-contact deadlines met, missed and pending),
 * `messagesPerTicket` messages each, and a confirmed time entry on every fifth ticket (one in nine
 * not billable). Customers' terms are a shop's mix: most on the default rate; one in 20 with a rate
 * of their own; one in 10 with a contract (15-minute blocks per ticket and a 30-minute minimum, or,
 * for one in 100 each, blocks per entry or a 20% surcharge outside business hours); one in 50 with
 * a prepaid package. Every month before `now`'s is exported for invoicing, as a shop does each
 * month (`exportForInvoicing`: its lines stored, its entries billed). Plain SQL with
 * generate_series: minutes, not the hours ingest would take.
 */
export async function seedReportData(
  app: RunningApp,
  options: { customers: number; tickets: number; messagesPerTicket: number; now: Date },
): Promise<{ tickets: number; messages: number; timeEntries: number }> {
  const sql = app.database.sql;
  const { rows } = await sql.query<{ id: string }>(
    `insert into customers (name, status, locale, activated_at)
     select 'Cliente bench ' || i, 'active', 'it', $2::timestamptz - interval '400 days'
       from generate_series(1, $1::int) i returning id::text`,
    [options.customers, options.now],
  );
  const ids = rows.map((r) => r.id);
  await sql.query(
    `update customers c set hourly_rate_cents = 4500
       from unnest($1::bigint[]) with ordinality as x(id, i) where c.id = x.id and x.i % 20 = 5`,
    [ids],
  );
  await sql.query(
    `insert into billing_contracts (customer_id, rounding_mode, rounding_minutes, rounding_scope,
                                    minimum_minutes, out_of_hours_surcharge_percent)
     select x.id, case when x.i % 100 = 0 then 'none' else 'block' end,
            case when x.i % 100 = 0 then null else 15 end,
            case when x.i % 100 = 50 then 'entry' else 'ticket' end,
            case when x.i % 100 in (0, 50) then 0 else 30 end,
            case when x.i % 100 = 0 then 20 else 0 end
       from unnest($1::bigint[]) with ordinality as x(id, i) where x.i % 10 = 0`,
    [ids],
  );
  await sql.query(
    `insert into prepaid_packages (customer_id, minutes, valid_from, valid_until, created_at)
     select x.id, 1200, to_char($2::timestamptz - interval '400 days', 'YYYY-MM-DD'),
            to_char($2::timestamptz + interval '30 days', 'YYYY-MM-DD'), $2::timestamptz - interval '400 days'
       from unnest($1::bigint[]) with ordinality as x(id, i) where x.i % 50 = 25`,
    [ids, options.now],
  );
  const batch = 20_000;
  for (let start = 1; start <= options.tickets; start += batch) {
    const end = Math.min(options.tickets, start + batch - 1);
    await sql.query(
      `insert into tickets (customer_id, subject, status, origin_channel, first_contact_due_at,
                            first_contact_at, created_at, updated_at)
       select ($1::bigint[])[1 + i % cardinality($1::bigint[])], 'Stampante bench ' || i,
              (array['new','open','waiting_customer','scheduled','in_progress','resolved',
                     'closed','closed','closed','closed'])[1 + i % 10],
              (array['email','telegram','slack','web'])[1 + i % 4],
              $2::timestamptz - (i % 365) * interval '1 day' + interval '2 days',
              case when i % 7 = 0 then null
                   else $2::timestamptz - (i % 365) * interval '1 day' + (1 + i % 3) * interval '20 hours' end,
              $2::timestamptz - (i % 365) * interval '1 day',
              $2::timestamptz - (i % 365) * interval '1 day'
         from generate_series($3::int, $4::int) i`,
      [ids, options.now, start, end],
    );
  }
  const { rows: range } = await sql.query<{ lo: string; hi: string }>(
    `select min(id)::text as lo, max(id)::text as hi from tickets where subject like 'Stampante bench %'`,
  );
  const lo = BigInt(range[0]!.lo);
  const hi = BigInt(range[0]!.hi);
  for (let from = lo; from <= hi; from += 20_000n) {
    await sql.query(
      `insert into messages (ticket_id, customer_id, direction, channel, new_text, full_text, created_at)
       select t.id, t.customer_id, 'inbound', t.origin_channel, 'La stampante non stampa ' || g,
              'La stampante non stampa, messaggio ' || g, t.created_at + g * interval '1 hour'
         from tickets t cross join generate_series(1, $3::int) g
        where t.id between $1::bigint and $2::bigint`,
      [from.toString(), (from + 19_999n).toString(), options.messagesPerTicket],
    );
  }
  await sql.query(
    `insert into time_entries (ticket_id, technician, started_at, minutes, kind, billable, status, source)
     select id, 'Luca', created_at + interval '3 hours', 15 + (number % 8) * 15, 'remote', number % 9 <> 0,
            'confirmed', 'api'
       from tickets where subject like 'Stampante bench %' and number % 5 = 0`,
  );
  const month = instantToZoned(options.now, DEFAULT_BUSINESS_CALENDAR.timeZone).date.slice(0, 7);
  for (let m = shiftMonth(month, -13); m < month; m = shiftMonth(m, 1))
    await app.database.transaction((tx) => exportForInvoicing(app.core, tx, { month: m, actor: 'bench' }));
  // As a running instance has it: loading the messages rewrote each ticket once per message (the
  // search trigger), five dead rows a live one, all at once; a live instance's periodic vacuum
  // (half-hourly embedded, autovacuum on a server) reuses that space as messages come. Compacted.
  await sql.query('vacuum full tickets');
  await sql.query('vacuum analyze');
  const count = async (table: string) =>
    (await sql.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]!.n;
  return {
    tickets: await count('tickets'),
    messages: await count('messages'),
    timeEntries: await count('time_entries'),
  };
}
