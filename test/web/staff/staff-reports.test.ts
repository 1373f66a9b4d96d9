import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebAdapter } from '../../../src/channels/web/web-adapter.js';
import { audit } from '../../../src/core/audit.js';
import { hoursReport } from '../../../src/core/billing/hours-report.js';
import type { CoreContext } from '../../../src/core/core-context.js';
import { createCustomer } from '../../../src/core/customers.js';
import { revenueReport } from '../../../src/core/reports/reports.js';
import { createLogger } from '../../../src/logger.js';
import { createStaffAccount, staffSession } from '../../helpers/staff-kit.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { inbound, TestChannel } from '../../helpers/test-channel.js';
import { WEB_TEST_SETTINGS } from '../../helpers/web-kit.js';

// The staff reports (#25) over HTTP on seeded figures: known hours, revenue, first-contact weeks,
// channels and backlog; the CSVs; the audit log for admins only.
let app: TestApp;
let core: CoreContext;
const clock = new Date('2026-03-10T10:00:00Z'); // Tuesday 10 March 2026, 11:00 in Rome
const PASSWORD = 'password-di-prova-123';
const PERIOD = 'fromMonth=2026-02&toMonth=2026-03&fromWeek=2026-W08&toWeek=2026-W11';
let adminCookie: string;
let techCookie: string;
const numbers: Record<string, number> = {};

async function ticketFor(name: string, address: string, key: string) {
  const customer = await createCustomer(
    core,
    { name, locale: 'it', status: 'active', identities: [{ kind: 'test', address }] },
    'test',
  );
  const outcome = await app.channelContext.ingest(inbound({ from: address, newText: `Problema ${key}` }));
  if (outcome.status !== 'new_ticket') throw new Error('expected a ticket');
  numbers[key] = outcome.ticketNumber;
  return customer.id.toString();
}

const sql = (text: string, params: unknown[] = []) => app.database.sql.query(text, params);
const get = (path: string, cookie: string) =>
  fetch(`${app.url}${path}`, { headers: { cookie }, redirect: 'manual' });

beforeAll(async () => {
  app = await startTestApp({
    env: { PUBLIC_URL: 'http://staff.example.test' },
    now: () => clock,
    adapters: (_context, c) => {
      core = c;
      return [
        new TestChannel(),
        new WebAdapter({
          core: c,
          settings: WEB_TEST_SETTINGS,
          logger: createLogger('silent'),
          email: () => undefined,
          linkFor: () => undefined,
        }),
      ];
    },
  });
  const verdi = await ticketFor('Verdi Snc', 'verdi@example.test', 'A');
  const bianchi = await ticketFor('Bianchi <b>Srl</b>', 'bianchi@example.test', 'B');
  for (const key of ['1', '2', '3', '4', '5']) {
    const outcome = await app.channelContext.ingest(inbound({ from: 'verdi@example.test', newText: key }));
    if (outcome.status !== 'new_ticket') throw new Error(`expected a ticket, got ${outcome.status}`);
    numbers[key] = outcome.ticketNumber;
  }
  await app.api(`/customers/${bianchi}/contract`, {
    method: 'PUT',
    body: { hourlyRateCents: 4000, rounding: { mode: 'block', minutes: 15, scope: 'ticket' } },
  });
  for (const [key, minutes, startedAt] of [
    ['A', 90, '2026-02-02T08:00:00Z'],
    ['A', 30, '2026-03-03T08:00:00Z'],
    ['B', 50, '2026-03-04T08:00:00Z'],
  ] as const) {
    const logged = await app.api(`/tickets/${numbers[key]}/time`, {
      body: { technician: 'Luca', minutes, startedAt },
    });
    expect(logged.status).toBe(201);
  }
  const exported = await app.api('/reports/hours/export', {
    body: { month: '2026-02', customerId: Number(verdi), author: 'Anna' },
  });
  expect(exported.status).toBe(200);
  await createStaffAccount(core, { email: 'admin@shop.test', role: 'admin', password: PASSWORD });
  await createStaffAccount(core, { email: 'tech@shop.test', role: 'technician', password: PASSWORD });
  adminCookie = (await staffSession(app.url, { email: 'admin@shop.test', password: PASSWORD })).cookie;
  techCookie = (await staffSession(app.url, { email: 'tech@shop.test', password: PASSWORD })).cookie;
  // Deadlines, contacts, channels, statuses and opening days as known figures.
  const seed: Array<[string, string | null, string | null, string, string]> = [
    // key, first_contact_due_at, first_contact_at, origin_channel, status
    ['A', null, null, 'test', 'resolved'],
    ['B', null, null, 'test', 'in_progress'],
    ['1', '2026-02-24T16:00:00Z', '2026-02-24T09:00:00Z', 'email', 'closed'], // W09 met
    ['2', '2026-02-25T16:00:00Z', '2026-02-26T09:00:00Z', 'email', 'waiting_customer'], // W09 missed (late)
    ['3', '2026-03-03T16:00:00Z', null, 'telegram', 'open'], // W10 missed (never, still open)
    ['4', '2026-03-12T16:00:00Z', null, 'test', 'new'], // W11 pending
    ['5', '2026-03-04T16:00:00Z', '2026-03-04T08:00:00Z', 'test', 'new'], // W10 met
  ];
  for (const [key, due, contact, channel, status] of seed) {
    await sql(
      `update tickets set first_contact_due_at = $2, first_contact_at = $3, origin_channel = $4, status = $5,
              created_at = '2026-03-05T10:00:00Z', closed_at = case when $5 = 'closed' then $3::timestamptz end
        where number = $1`,
      [numbers[key], due, contact, channel, status],
    );
  }
  await app.database.transaction(async (tx) => {
    for (let i = 0; i < 60; i++) await audit(tx, { actor: 'bulk', action: 'test.bulk', data: { i } });
  });
}, 60_000);

afterAll(async () => {
  await app?.close();
});

const csvRows = async (response: Response) => {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  const bytes = new Uint8Array(await response.arrayBuffer());
  expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = new TextDecoder().decode(bytes);
  expect(text).toContain('\r\n');
  return parse(text, { bom: true, delimiter: ';' }) as string[][];
};

describe('reports on seeded figures', () => {
  it("hours and revenue per customer per month are the monthly statements' cents (billed February, open March)", async () => {
    const report = await revenueReport(core, app.database, { fromMonth: '2026-02', toMonth: '2026-03' });
    expect(
      report.rows.map((r) => [r.name, r.month, r.workedMinutes, r.billedMinutes, r.netCents, r.totalCents]),
    ).toEqual([
      ['Bianchi <b>Srl</b>', '2026-03', 50, 60, 4000, 4880],
      ['Verdi Snc', '2026-02', 90, 90, 4500, 5490],
      ['Verdi Snc', '2026-03', 30, 30, 1500, 1830],
    ]);
    for (const month of ['2026-02', '2026-03']) {
      const statement = await hoursReport(core, app.database, month);
      expect(
        report.rows.filter((r) => r.month === month).map((r) => [r.customerId, r.netCents, r.totalCents]),
      ).toEqual(statement.customers.map((c) => [c.customerId, c.netCents, c.totalCents]));
      expect(report.perMonth.find((m) => m.month === month)!.netCents).toBe(statement.netCents);
    }
  });

  it('the page shows every figure as a table beside SVG charts with a title and description, names escaped', async () => {
    const response = await get(`/staff/reports?${PERIOD}`, techCookie);
    expect(response.status).toBe(200);
    const html = await response.text();
    const cells = (caption: string) => {
      const table = html.split(`<caption>${caption}</caption>`)[1]!.split('</table>')[0]!;
      return [...table.matchAll(/<tr>(.*?)<\/tr>/g)]
        .slice(1)
        .map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((c) => c[1]));
    };
    expect(cells('Ore e ricavi per cliente e mese')).toEqual([
      ['Bianchi &lt;b>Srl&lt;/b>', '2026-03', '0,83', '1,00', '€ 40,00', '€ 48,80'],
      ['Verdi Snc', '2026-02', '1,50', '1,50', '€ 45,00', '€ 54,90'],
      ['Verdi Snc', '2026-03', '0,50', '0,50', '€ 15,00', '€ 18,30'],
      ['Totale', '2026-02', '1,50', '', '€ 45,00', '€ 54,90'],
      ['Totale', '2026-03', '1,33', '', '€ 55,00', '€ 67,10'],
    ]);
    expect(cells('Primo contatto: termini rispettati e mancati per settimana')).toEqual([
      ['2026-02-16', '0', '0', '0'],
      ['2026-02-23', '1', '1', '0'],
      ['2026-03-02', '1', '1', '0'],
      ['2026-03-09', '0', '0', '1'],
    ]);
    expect(cells('Ticket per canale (aperti nel periodo dei mesi)')).toEqual([
      ['test', '4'],
      ['email', '2'],
      ['telegram', '1'],
    ]);
    expect(cells('Arretrato per stato (ticket aperti ora)')).toEqual([
      ['Nuovo', '2'],
      ['Aperto', '1'],
      ['In attesa del cliente', '1'],
      ['Pianificato', '0'],
      ['In lavorazione', '1'],
    ]);
    const svgs = html.match(/<svg[^>]*role="img"[^>]*>/g) ?? [];
    expect(svgs).toHaveLength(5);
    expect(html).toContain('<title id="chart-revenue-title">Imponibile per mese (IVA esclusa)</title>');
    expect(html).toContain('2026-02: € 45,00; 2026-03: € 55,00</desc>');
    expect(html).not.toContain('<b>Srl');
    expect(html).not.toMatch(/<style|<script| style="/);
  });

  it('each CSV is for Italian Excel: BOM, semicolons, decimal comma, Italian headers, the same figures', async () => {
    const revenue = await csvRows(await get(`/staff/reports/revenue.csv?${PERIOD}`, techCookie));
    expect(revenue).toEqual([
      ['Cliente', 'Mese', 'Ore lavorate', 'Ore fatturate', 'Imponibile', 'Totale IVA inclusa'],
      ['Bianchi <b>Srl</b>', '2026-03', '0,83', '1,00', '40,00', '48,80'],
      ['Verdi Snc', '2026-02', '1,50', '1,50', '45,00', '54,90'],
      ['Verdi Snc', '2026-03', '0,50', '0,50', '15,00', '18,30'],
      ['Totale', '2026-02', '1,50', '', '45,00', '54,90'],
      ['Totale', '2026-03', '1,33', '', '55,00', '67,10'],
    ]);
    const weeks = await csvRows(await get(`/staff/reports/first-contact.csv?${PERIOD}`, techCookie));
    expect(weeks[0]).toEqual(['Settimana dal', 'Rispettati', 'Mancati', 'In corso']);
    expect(weeks.slice(1).map((r) => r.join(' '))).toEqual([
      '2026-02-16 0 0 0',
      '2026-02-23 1 1 0',
      '2026-03-02 1 1 0',
      '2026-03-09 0 0 1',
    ]);
    expect(await csvRows(await get(`/staff/reports/channels.csv?${PERIOD}`, techCookie))).toEqual([
      ['Canale', 'Ticket'],
      ['test', '4'],
      ['email', '2'],
      ['telegram', '1'],
    ]);
    const backlog = await csvRows(await get('/staff/reports/backlog.csv', techCookie));
    expect(backlog[0]).toEqual(['Stato', 'Ticket']);
    expect(backlog[1]).toEqual(['Nuovo', '2']);
  });

  it("writes the charts' numbers in the page's language: decimal comma in Italian, point in English", async () => {
    const chart = (html: string, id: string) =>
      html.split(`<title id="${id}-title">`)[1]!.split('</svg>')[0]!;
    const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
    const italian = await (await get(`/staff/reports?${PERIOD}&lang=it`, techCookie)).text();
    // Hours worked: 1,50 h in February, 1,33 h in March; the axis goes by 0,2 h.
    expect(texts(chart(italian, 'chart-hours'))).toEqual(
      expect.arrayContaining(['0,0', '0,4', '1,2', '1,4']),
    );
    expect(chart(italian, 'chart-hours')).toContain('2026-02: 1,50 h');
    expect(texts(chart(italian, 'chart-revenue'))).toEqual(expect.arrayContaining(['0', '10', '50']));
    for (const id of [
      'chart-hours',
      'chart-revenue',
      'chart-first-contact',
      'chart-channels',
      'chart-backlog',
    ])
      expect(texts(chart(italian, id)).filter((t) => /\d\.\d/.test(t))).toEqual([]);
    const english = await (await get(`/staff/reports?${PERIOD}&lang=en`, techCookie)).text();
    expect(texts(chart(english, 'chart-hours'))).toEqual(
      expect.arrayContaining(['0.0', '0.4', '1.2', '1.4']),
    );
    expect(chart(english, 'chart-hours')).toContain('2026-02: 1.50 h');
  });

  it('counts tickets on whole-number axes: no 0,5 ticket on a chart of 0 to 4 tickets', async () => {
    const html = await (await get(`/staff/reports?${PERIOD}&lang=it`, techCookie)).text();
    const ticks = (id: string) =>
      [
        ...html
          .split(`<title id="${id}-title">`)[1]!
          .split('</svg>')[0]!
          .matchAll(/<text[^>]*>([^<]*)<\/text>/g),
      ]
        .map((m) => m[1]!)
        .filter((t) => /^[\d,.]+$/.test(t));
    // Met and missed stacked: at most 2 a week; backlog at most 2 a status; channels at most 4.
    expect(ticks('chart-first-contact')).toEqual(['0', '1', '2']);
    expect(ticks('chart-backlog')).toEqual(['0', '1', '2']);
    expect(ticks('chart-channels')).toEqual(['0', '1', '2', '3', '4']);
  });

  it('a period given backwards is read forwards; nonsense is refused naming the field', async () => {
    const swapped = await (
      await get(
        '/staff/reports?fromMonth=2026-03&toMonth=2026-02&fromWeek=2026-W11&toWeek=2026-W08',
        techCookie,
      )
    ).text();
    expect(swapped).toContain('name="fromMonth" type="month" value="2026-02"');
    expect(swapped).toContain('name="toWeek" type="week" value="2026-W11"');
    const nonsense = await get('/staff/reports?fromWeek=x&toWeek=2026-W99&toMonth=2026-13', techCookie);
    expect(nonsense.status).toBe(400);
    const html = await nonsense.text();
    for (const name of ['fromWeek', 'toWeek', 'toMonth']) expect(html).toContain(`<code>${name}</code>`);
    expect(html).toContain('una settimana ISO come 2026-W09');
  });
});

describe('the audit log', () => {
  it('is closed to technicians (403) and to visitors (sign-in)', async () => {
    expect((await get('/staff/audit', techCookie)).status).toBe(403);
    expect((await get('/staff/audit', '')).status).toBe(303);
  });

  it('shows admins the entries newest first, filtered, 50 a page, with a link to older ones', async () => {
    const first = await (await get('/staff/audit?action=test.bulk&actor=bulk', adminCookie)).text();
    const ids = (html: string) => [...html.matchAll(/\{&quot;i&quot;:(\d+)\}/g)].map((m) => Number(m[1]));
    expect(ids(first)).toEqual(Array.from({ length: 50 }, (_, k) => 59 - k));
    const older = /href="(\/staff\/audit\?[^"]*before=\d+)"/.exec(first)![1]!.replace(/&amp;/g, '&');
    expect(older).toContain('action=test.bulk');
    const second = await (await get(older, adminCookie)).text();
    expect(ids(second)).toEqual(Array.from({ length: 10 }, (_, k) => 9 - k));
    expect(second).not.toContain('before=');
    const byTicket = await (await get(`/staff/audit?action=ticket.&ticket=${numbers.A}`, adminCookie)).text();
    expect(byTicket).toContain(`<a href="/staff/tickets/${numbers.A}">${numbers.A}</a>`);
    expect(byTicket).not.toContain('test.bulk');
    const none = await (await get('/staff/audit?from=2030-01-01', adminCookie)).text();
    expect(none).toContain('Nessuna voce con questi filtri.');
  });

  it('offers no way to change an entry', async () => {
    const html = await (await get('/staff/audit', adminCookie)).text();
    expect(html.split('<main')[1]).not.toMatch(/method="post"/);
    const post = await fetch(`${app.url}/staff/audit`, { method: 'POST', headers: { cookie: adminCookie } });
    expect(post.status).toBe(404);
  });
});
