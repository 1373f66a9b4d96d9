import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebAdapter } from '../../../src/channels/web/web-adapter.js';
import type { CoreContext } from '../../../src/core/core-context.js';
import { createCustomer } from '../../../src/core/customers.js';
import { createLogger } from '../../../src/logger.js';
import { createStaffAccount, staffSession } from '../../helpers/staff-kit.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { inbound, TestChannel } from '../../helpers/test-channel.js';
import { WEB_TEST_SETTINGS } from '../../helpers/web-kit.js';

// The staff ticket page (#25) lists the ticket's logged time and prices it as the hour summary
// and the REST API do: invoiced, not billable and out-of-range entries included.
let app: TestApp;
let core: CoreContext;
let number: number;
let cookie: string;
const clock = new Date('2026-03-10T10:00:00Z');
const PASSWORD = 'password-di-prova-123';

const page = async (query = '') => {
  const response = await fetch(`${app.url}/staff/tickets/${number}${query}`, { headers: { cookie } });
  expect(response.status).toBe(200);
  return response.text();
};

/** The rows of the table captioned `caption`, each as its cells' text. */
const cells = (html: string, caption: string) => {
  const table = html.split(`<caption>${caption}</caption>`)[1]!.split('</table>')[0]!;
  return [...table.matchAll(/<tr>(.*?)<\/tr>/g)]
    .slice(1)
    .map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((c) => c[1]));
};

/** The `<dt>`/`<dd>` pairs of the time section. */
const facts = (html: string, heading: string) => {
  const section = html.split(`>${heading}</h2>`)[1]!.split('</section>')[0]!;
  const list = section.split('<dl')[1]!.split('</dl>')[0]!;
  return [...list.matchAll(/<dt>(.*?)<\/dt><dd>(.*?)<\/dd>/g)].map((m) => `${m[1]}: ${m[2]}`);
};

beforeAll(async () => {
  app = await startTestApp({
    env: { PUBLIC_URL: 'http://staff.example.test' },
    now: () => clock,
    adapters: (_context, c) => {
      core = c;
      const web = { core: c, settings: WEB_TEST_SETTINGS, logger: createLogger('silent') };
      return [
        new TestChannel(),
        new WebAdapter({ ...web, email: () => undefined, linkFor: () => undefined }),
      ];
    },
  });
  const customer = await createCustomer(
    core,
    {
      name: 'Verdi Snc',
      locale: 'it',
      status: 'active',
      identities: [{ kind: 'test', address: 'verdi@x.test' }],
    },
    'test',
  );
  const outcome = await app.channelContext.ingest(inbound({ from: 'verdi@x.test', newText: 'Stampante' }));
  if (outcome.status !== 'new_ticket') throw new Error('expected a ticket');
  number = outcome.ticketNumber;
  for (const body of [
    { technician: 'Luca', minutes: 60, startedAt: '2026-02-02T08:00:00Z', note: 'Prima visita' },
    { technician: 'Anna', minutes: 90, startedAt: '2026-03-03T08:00:00Z', note: 'Driver stampante' },
    {
      technician: 'Anna',
      minutes: 15,
      startedAt: '2026-03-04T14:00:00Z',
      kind: 'phone',
      billable: false,
      note: 'Chiamata',
    },
  ]) {
    expect((await app.api(`/tickets/${number}/time`, { body })).status).toBe(201);
  }
  // February invoiced; one entry stored before the API refused such dates (docs/date-bounds.md).
  const exported = await app.api('/reports/hours/export', {
    body: { month: '2026-02', customerId: Number(customer.id), author: 'Anna' },
  });
  expect(exported.status).toBe(200);
  await app.database.sql.query(
    `insert into time_entries (ticket_id, technician, started_at, minutes, kind, note, source)
     select id, 'Luca', '1999-12-31T08:00:00Z', 30, 'remote', 'Vecchia voce', 'api' from tickets where number = $1`,
    [number],
  );
  await createStaffAccount(core, { email: 'tech@shop.test', role: 'technician', password: PASSWORD });
  cookie = (await staffSession(app.url, { email: 'tech@shop.test', password: PASSWORD })).cookie;
}, 60_000);

afterAll(async () => {
  await app?.close();
});

describe('the time on the staff ticket page', () => {
  it('lists every entry with who, how long, what, billable, invoiced and what it is charged', async () => {
    const html = await page();
    expect(cells(html, 'Tempo registrato')).toEqual([
      [
        '1999-12-31',
        'Luca',
        '30 min',
        'da remoto',
        'Vecchia voce',
        'sì',
        'no',
        'non conteggiato: data fuori dal 2000–2099',
      ],
      ['02/02/26 09:00', 'Luca', '1 h', 'da remoto', 'Prima visita', 'sì', 'sì, 10/03/26 11:00', '1 h'],
      ['03/03/26 09:00', 'Anna', '1 h 30 min', 'da remoto', 'Driver stampante', 'sì', 'no', '1 h 30 min'],
      ['04/03/26 15:00', 'Anna', '15 min', 'telefono', 'Chiamata', 'no', 'no', '0 min'],
    ]);
  });

  it('adds them up and prices them as the REST API does (€ 30/h + 22% VAT), without the out-of-range entry', async () => {
    expect(facts(await page(), 'Tempo registrato')).toEqual([
      'Totale registrato: 3 h 15 min',
      'Ore conteggiate: 2 h 30 min',
      'Tariffa: € 30,00/h',
      'Imponibile: € 75,00',
      'IVA (22%): € 16,50',
      'Totale IVA inclusa: € 91,50',
    ]);
    const api = (await (await app.api(`/tickets/${number}/time`)).json()) as {
      bill: { netCents: number; totalCents: number };
    };
    expect([api.bill.netCents, api.bill.totalCents]).toEqual([7500, 9150]);
  });

  it('speaks English with English money', async () => {
    const html = await page('?lang=en');
    expect(cells(html, 'Time logged')[0]).toEqual([
      '1999-12-31',
      'Luca',
      '30 min',
      'remote',
      'Vecchia voce',
      'yes',
      'no',
      'not priced: date outside 2000–2099',
    ]);
    expect(facts(html, 'Time logged')).toContain('Total VAT included: €91.50');
  });
});
