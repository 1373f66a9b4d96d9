import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebAdapter } from '../../../src/channels/web/web-adapter.js';
import type { CoreContext } from '../../../src/core/core-context.js';
import { createCustomer } from '../../../src/core/customers.js';
import { createLogger } from '../../../src/logger.js';
import { createStaffAccount, staffSession } from '../../helpers/staff-kit.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { inbound, TestChannel } from '../../helpers/test-channel.js';
import { WEB_TEST_SETTINGS } from '../../helpers/web-kit.js';

// Issue #25, an outside tester's findings: hostile values in every query parameter a staff page
// reads are a 400 page naming the parameter (Italian, then English), never a 500 nor silently
// another value; the slot length of the propose form is refused, not replaced.
let app: TestApp;
let core: CoreContext;
let cookie: string;
let csrfToken: string;
let ticket: number;
let customerId: string;
const PASSWORD = 'password-di-prova-123';

const get = async (path: string) => {
  const answer = await fetch(`${app.url}${path}`, { headers: { cookie }, redirect: 'manual' });
  return { status: answer.status, html: await answer.text() };
};

beforeAll(async () => {
  app = await startTestApp({
    env: { PUBLIC_URL: 'http://staff.example.test' },
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
  const customer = await createCustomer(
    core,
    {
      name: 'Rossi Srl',
      locale: 'it',
      status: 'active',
      identities: [{ kind: 'test', address: 'rossi@x.test' }],
    },
    'test',
  );
  customerId = customer.id.toString();
  const outcome = await app.channelContext.ingest(
    inbound({ from: 'rossi@x.test', newText: 'Stampante ferma' }),
  );
  if (outcome.status !== 'new_ticket') throw new Error('expected a ticket');
  ticket = outcome.ticketNumber;
  await createStaffAccount(core, { email: 'admin@shop.test', role: 'admin', password: PASSWORD });
  ({ cookie, csrfToken } = await staffSession(app.url, { email: 'admin@shop.test', password: PASSWORD }));
});

afterAll(async () => {
  await app?.close();
});

/** Every staff GET page and the query parameters it reads. */
const ROUTES = (): Record<string, string[]> => ({
  '/staff/tickets': ['q', 'status', 'channel', 'customer', 'customer_id', 'assignee', 'deadline', 'before'],
  [`/staff/tickets/${ticket}`]: ['done', 'redacted'],
  '/staff/customers': ['q', 'status', 'page'],
  [`/staff/customers/${customerId}`]: ['done'],
  '/staff/reports': ['fromMonth', 'toMonth', 'fromWeek', 'toWeek'],
  '/staff/reports/revenue.csv': ['fromMonth', 'toMonth'],
  '/staff/reports/first-contact.csv': ['fromWeek', 'toWeek'],
  '/staff/reports/channels.csv': ['fromMonth', 'toMonth'],
  '/staff/audit': ['actor', 'action', 'ticket', 'customer', 'from', 'to', 'before'],
  '/staff/unmatched': ['ticket', 'before', 'done'],
  '/staff/registrations': ['done'],
  '/staff/account': ['done'],
  '/staff/settings': ['done'],
});

const HTML_SPECIAL = `<>&"'`;
/** Refused by every parameter (no parameter takes a NUL, nor 5,000 characters). */
const ALWAYS_REFUSED = ['a\u0000b', 'x'.repeat(5000)];
/** Refused where the parameter is not free text. */
const HOSTILE = ['1'.padEnd(21, '0'), '-5', '99999-01-01', '0000-00-00', '2024-13-45', '😀', HTML_SPECIAL];

describe('hostile values in the staff pages’ query strings', () => {
  it('never answer 5xx; a refusal is a 400 page naming the parameter, in Italian then English', async () => {
    for (const [path, names] of Object.entries(ROUTES())) {
      for (const name of names) {
        for (const value of [...ALWAYS_REFUSED, ...HOSTILE]) {
          const url = `${path}?${new URLSearchParams({ [name]: value })}`;
          const { status, html } = await get(url);
          const where = `${url.slice(0, 120)} → ${status}`;
          expect(status, where).toBeLessThan(500);
          if (ALWAYS_REFUSED.includes(value)) expect(status, where).toBe(400);
          if (status === 400) {
            expect(html, where).toContain(`<code>${name}</code>`);
            expect(html, where).toContain(
              'Questi parametri non sono validi: / These parameters are not valid:',
            );
          } else expect(status, where).toBe(200);
          expect(html, where).not.toContain(HTML_SPECIAL);
        }
      }
    }
  }, 300_000); // ~300 requests: a loaded 2-core machine needs more than the default 30 s

  it('names the tester’s cases with what the value must be', async () => {
    const nul = await get('/staff/tickets?q=a%00b&customer=c%00d');
    expect(nul.status).toBe(400);
    expect(nul.html).toContain('<code>q</code>: contiene un carattere NUL');
    expect(nul.html).toContain('<code>customer</code>');
    const cursor = await get('/staff/tickets?before=99999999999999999999');
    expect(cursor.status).toBe(400);
    expect(cursor.html).toContain('<code>before</code>: un numero intero da 1 a 2147483647 / a whole number');
    for (const date of ['99999-01-01', '0000-00-00', '2024-13-45', '1999-12-31']) {
      const audit = await get(`/staff/audit?from=${date}&to=${date}`);
      expect(audit.status).toBe(400);
      expect(audit.html).toContain(
        '<code>from</code>: una data esistente come 2026-03-31, dal 2000-01-01 al 2099-12-31',
      );
      expect(audit.html).toContain('<code>to</code>');
    }
  });

  it('shows zod’s own checks in Italian on an Italian page, and the same list on an English one', async () => {
    const long = await get(`/staff/tickets?q=${'x'.repeat(201)}&status=aperto`);
    expect(long.status).toBe(400);
    expect(long.html).toContain('<code>q</code>: al massimo 200 caratteri / at most 200 characters');
    expect(long.html).toContain('<code>status</code>: uno tra: new, ');
    expect(long.html).not.toContain('Too big: expected');
    const twice = await get('/staff/customers?page=1&page=2');
    expect(twice.html).toContain('<code>page</code>: un solo valore di testo / a single text value');
    const english = await get('/staff/customers?page=0&lang=en');
    expect(english.status).toBe(400);
    expect(english.html).toContain(
      '<code>page</code>: un numero intero da 1 a 10000 / a whole number from 1 to 10000',
    );
  });

  it('still takes good values and blank filters', async () => {
    const ok = await get(`/staff/tickets?q=&status=&channel=&customer_id=${customerId}&before=2147483647`);
    expect(ok.status).toBe(200);
    expect(ok.html).toContain('Stampante non funziona');
    expect((await get('/staff/audit?from=2000-01-01&to=2099-12-31&ticket=1')).status).toBe(200);
  });
});

describe('the slot length of the propose form', () => {
  const propose = (minutes: string) =>
    fetch(`${app.url}/staff/tickets/${ticket}/propose`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrfToken, kind: 'onsite', minutes }).toString(),
      redirect: 'manual',
    });

  it('is refused with the field’s message in Italian, the typed value kept, nothing proposed', async () => {
    for (const minutes of ['0', '-5', '7.5', '100000', 'abc', '20', '']) {
      const answer = await propose(minutes);
      expect(answer.status, minutes).toBe(400);
      const html = await answer.text();
      expect(html).toContain('Durata (minuti): un numero intero da 15 a 180, a passi di 15.');
      const kept = minutes ? `value="${minutes}"` : 'value aria-invalid';
      expect(html).toContain(`name="minutes" type="number" min="15" max="180" step="15" ${kept}`);
      expect(html).toMatch(/value="onsite" checked/);
    }
    const offers = await app.database.sql.query('select count(*)::int as n from slot_offers', []);
    expect(offers.rows[0]).toEqual({ n: 0 });
  });
});
