import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreContext } from '../../../src/core/core-context.js';
import { createStaffAccount, staffSession } from '../../helpers/staff-kit.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { webOnlyAdapter } from '../../helpers/web-kit.js';

// The unmatched-messages page with thousands of rows (#25): pages of 50, newest first, keyset links
// like the ticket list's; an action on a later page comes back to that page. Over HTTP, no browser.
let app: TestApp;
let core: CoreContext;
let cookie: string;
let csrfToken: string;
const TOTAL = 2_120;

const get = async (path: string) => {
  const answer = await fetch(`${app.url}${path}`, { headers: { cookie }, redirect: 'manual' });
  return { status: answer.status, html: await answer.text() };
};
/** The message ids of a page's rows, in the order shown. */
const shownIds = (html: string) => [...html.matchAll(/data-message="(\d+)"/g)].map((m) => Number(m[1]));
const nextLink = (html: string) => /<a href="([^"]+)" rel="next">/.exec(html)?.[1]?.replaceAll('&amp;', '&');

beforeAll(async () => {
  app = await startTestApp({
    adapters: (_context, c) => {
      core = c;
      return [webOnlyAdapter(c)];
    },
  });
  // Unknown senders' mail, stored as the ingest stores it (no ticket); one album bookkeeping row
  // and one outbound row, which the page never lists.
  await app.database.sql.query(
    `insert into messages (direction, disposition, channel, sender_address, subject, new_text, full_text, received_at)
     select 'inbound', 'unmatched', 'email', 'sender' || n || '@unknown.test', 'Richiesta ' || n, 'testo ' || n,
            'testo ' || n, timestamptz '2026-11-02 09:00+01' + n * interval '1 minute'
     from generate_series(1, $1::int) as n`,
    [TOTAL],
  );
  await app.database.sql.query(
    `insert into messages (direction, disposition, channel, new_text, full_text)
     values ('inbound', 'album_part', 'telegram', 'parte', 'parte'), ('outbound', 'unmatched', 'email', 'x', 'x')`,
  );
  await app.database.sql.query(
    `with c as (insert into customers (name, status) values ('Cliente Paginato', 'active') returning id)
     insert into identities (customer_id, kind, address, verified) select id, 'email', 'paginato@cliente.test', true from c`,
  );
  await createStaffAccount(core, {
    email: 'tecnico@shop.test',
    role: 'technician',
    password: 'password-tecnico-1',
  });
  ({ cookie, csrfToken } = await staffSession(app.url, {
    email: 'tecnico@shop.test',
    password: 'password-tecnico-1',
  }));
}, 120_000);

afterAll(async () => {
  await app?.close();
});

describe('unmatched messages page', () => {
  it('pages through thousands of messages, 50 at a time, newest first, each message once', async () => {
    const { rows } = await app.database.sql.query<{ id: string }>(
      `select id::text as id from messages as m where m.ticket_id is null and m.direction = 'inbound'
         and m.disposition <> 'album_part' order by m.id desc`,
    );
    const expected = rows.map((r) => Number(r.id));
    expect(expected).toHaveLength(TOTAL);
    const first = await get('/staff/unmatched');
    expect(first.status).toBe(200);
    expect(shownIds(first.html)).toEqual(expected.slice(0, 50));
    expect(first.html).toContain(`Richiesta ${TOTAL}`);
    expect(first.html).not.toContain('Dai più recenti');
    const seen: number[] = [];
    let path: string | undefined = '/staff/unmatched';
    let pages = 0;
    while (path) {
      const page = await get(path);
      seen.push(...shownIds(page.html));
      if (pages > 0) expect(page.html).toContain('href="/staff/unmatched">Dai più recenti</a>');
      path = nextLink(page.html);
      pages += 1;
    }
    expect(pages).toBe(Math.ceil(TOTAL / 50));
    expect(seen).toEqual(expected);
  });

  it('comes back to the same page after linking a message found there', async () => {
    const second = nextLink((await get('/staff/unmatched')).html)!;
    const before = new URLSearchParams(second.split('?')[1]).get('before')!;
    const target = shownIds((await get(second)).html)[3]!;
    const linked = await fetch(`${app.url}/staff/unmatched/${target}/link`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrfToken, query: 'paginato@cliente.test', before }).toString(),
      redirect: 'manual',
    });
    expect(linked.status).toBe(303);
    expect(linked.headers.get('location')).toBe(`/staff/unmatched?before=${before}&done=linked`);
    const back = await get(linked.headers.get('location')!);
    expect(back.html).toContain('Messaggio abbinato al cliente.');
    expect(back.html).toContain('Abbinato a: Cliente Paginato');
    expect(shownIds(back.html)).toContain(target);
  });

  it('refuses a page key that is not a message id, naming it', async () => {
    for (const key of ['abc', '99999999999999999999', '0']) {
      const odd = await get(`/staff/unmatched?before=${key}`);
      expect(odd.status).toBe(400);
      expect(odd.html).toContain('<code>before</code>');
      expect(odd.html).toContain('un numero identificativo');
    }
  });
});
