import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreContext } from '../../src/core/core-context.js';
import { appointments, identities, tickets, webAccounts } from '../../src/db/schema.js';
import { register } from '../../src/web/accounts.js';
import { hashPassword } from '../../src/web/passwords.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { WEB_TEST_SETTINGS, webOnlyAdapter } from '../helpers/web-kit.js';

// An attacker's and a careless customer's tries against the portal, over plain HTTP (no browser).
let app: TestApp;
let core: CoreContext;
const PASSWORD = 'a long enough password 42';

/** A browser without JavaScript: keeps cookies, reads the CSRF token from the last page. */
let clients = 0;
class Client {
  // Each client its own address (behind the trusted proxy): the per-address form rate limit stays out of the way.
  address = `192.0.2.${++clients}`;
  cookies = new Map<string, string>();
  csrf = '';
  async get(path: string) {
    const response = await fetch(`${app.url}${path}`, { headers: this.headers(), redirect: 'manual' });
    this.keep(response);
    const text = await response.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
    if (token) this.csrf = token;
    return { response, text };
  }
  async post(path: string, fields: Record<string, string>, body?: FormData) {
    const form = body ?? new URLSearchParams({ _csrf: this.csrf, ...fields });
    if (body) {
      body.append('_csrf', this.csrf);
      for (const [k, v] of Object.entries(fields)) body.append(k, v);
    }
    const response = await fetch(`${app.url}${path}`, {
      method: 'POST',
      headers: this.headers(),
      body: form,
      redirect: 'manual',
    });
    this.keep(response);
    return { response, text: await response.text() };
  }
  headers() {
    return {
      cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      'x-forwarded-for': this.address,
    };
  }
  keep(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = pair!.split('=');
      this.cookies.set(name!, value!);
    }
  }
}

const VAT = '01234567897';
async function customer(email: string): Promise<void> {
  await register(core, {
    kind: 'company',
    name: `Ditta ${email}`,
    vatNumber: VAT,
    contactName: 'Mario',
    email,
    phone: '+39 055 123456',
    termsVersion: '1',
    quickAccess: false,
    locale: 'it',
  });
  const [registered] = await core.database.db.select().from(webAccounts).where(eq(webAccounts.email, email));
  // T1: a web registration starts the 48-hour activation clock (reminder at 24 h, alert at 48 h).
  const { rows: timers } = await core.database.sql.query<{ kind: string }>(
    'select kind from timers where customer_id = $1 order by kind',
    [registered!.customerId.toString()],
  );
  expect(timers.map((t) => t.kind)).toEqual(['activation.deadline', 'activation.reminder']);
  await core.database.db
    .update(webAccounts)
    .set({ passwordHash: await hashPassword(PASSWORD) })
    .where(eq(webAccounts.email, email));
  await core.database.db.update(identities).set({ verified: true }).where(eq(identities.address, email));
  const [account] = await core.database.db.select().from(webAccounts).where(eq(webAccounts.email, email));
  expect(
    (await app.api(`/customers/${account!.customerId}/activate`, { method: 'POST' })).status,
  ).toBeLessThan(300);
}

async function signedIn(email: string): Promise<Client> {
  const client = new Client();
  await client.get('/signin');
  const { response } = await client.post('/signin', { email, password: PASSWORD });
  expect(response.headers.get('location')).toBe('/portal');
  await client.get('/portal');
  return client;
}

beforeAll(async () => {
  app = await startTestApp({
    env: { TRUST_PROXY: 'true' },
    adapters: (_context, c) => {
      core = c;
      return [webOnlyAdapter(c)];
    },
  });
  await customer('anna@example.test');
  await customer('bruno@example.test');
});

afterAll(async () => {
  await app?.close();
});

describe('portal under attack', () => {
  it('keeps other customers out of a ticket, its replies and its files', async () => {
    const anna = await signedIn('anna@example.test');
    const bruno = await signedIn('bruno@example.test');
    const form = new FormData();
    form.append('subject', 'Stampante');
    form.append('text', 'Non stampa');
    form.append('nonce', 'idor-1');
    form.append(
      'attachments',
      new Blob(['<script>alert(1)</script>'], { type: 'text/html' }),
      '../../<script>.html',
    );
    const created = await anna.post('/portal/tickets', {}, form);
    const location = created.response.headers.get('location')!;
    const number = /tickets\/(\d+)/.exec(location)![1];
    const page = await anna.get(location);
    const file = /href="(\/portal\/attachments\/\d+)"/.exec(page.text)![1]!;
    expect(page.text).not.toContain('<script>');

    expect((await bruno.get(`/portal/tickets/${number}`)).response.status).toBe(404);
    const reply = await bruno.post(`/portal/tickets/${number}/reply`, { text: 'mio', nonce: 'idor-2' });
    expect(reply.response.status).toBe(404);
    expect((await bruno.get(file)).response.status).toBe(404);
    expect((await bruno.get('/portal/export.json')).text).not.toContain('anna');

    const download = await anna.get(file);
    expect(download.response.headers.get('content-type')).toBe('application/octet-stream');
    expect(download.response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(download.response.headers.get('content-disposition')).toBe(
      'attachment; filename="<script>.html"; filename*=UTF-8\'\'%3Cscript%3E.html',
    );
  });

  it("shows a customer their own consents, appointments and hours, never another customer's", async () => {
    const anna = await signedIn('anna@example.test');
    const bruno = await signedIn('bruno@example.test');
    const open = async (client: Client, subject: string) => {
      const created = await client.post('/portal/tickets', {
        subject,
        text: 'Aiuto',
        nonce: `own-${subject}`,
      });
      return Number(/tickets\/(\d+)/.exec(created.response.headers.get('location')!)![1]);
    };
    const annaTicket = await open(anna, 'Server lento');
    const brunoTicket = await open(bruno, 'Rete giù');
    const seed = async (number: number, technician: string, minutes: number, startAt: Date) => {
      const asked = await app.api(`/tickets/${number}/consents`, { method: 'POST', body: { technician } });
      expect(asked.status).toBe(201);
      const logged = await app.api(`/tickets/${number}/time`, {
        method: 'POST',
        body: { technician, minutes, kind: 'remote' },
      });
      expect(logged.status).toBe(201);
      const [ticket] = await core.database.db.select().from(tickets).where(eq(tickets.number, number));
      await core.database.db.insert(appointments).values({
        ticketId: ticket!.id,
        technician,
        kind: 'onsite',
        startAt,
        endAt: new Date(startAt.getTime() + 3_600_000),
        uid: `portal-${number}-${technician}@test`,
      });
    };
    const day = 86_400_000;
    // 2 March 2099, 10:00 in Italy (CET): far enough ahead to stay upcoming.
    await seed(annaTicket, 'Tecnico Anna', 90, new Date('2099-03-02T09:00:00Z'));
    await seed(brunoTicket, 'Tecnico Bruno', 30, new Date(Date.now() + 3 * day));

    const annaPortal = (await anna.get('/portal')).text;
    expect(annaPortal).not.toContain('Non ancora disponibile');
    expect(annaPortal).toContain('Prossimi');
    expect(annaPortal).toContain('02/03/99 10:00');
    expect(annaPortal).toContain('presso la sede');
    expect(annaPortal).toContain(`Riepilogo ore provvisorio del ticket n. ${annaTicket}`);
    expect(annaPortal).toContain('Tempo totale: 1 h 30 min');
    expect(annaPortal).not.toContain(`ticket n. ${brunoTicket}`);
    expect(annaPortal).not.toContain(`href="/portal/tickets/${brunoTicket}"`);
    expect(annaPortal).toContain('Imponibile: € 45,00');
    expect(annaPortal).not.toContain('da remoto: 30 min');

    const annaEnglish = (await anna.get('/portal?lang=en')).text;
    expect(annaEnglish).toContain('2 Mar 2099, 10:00');
    expect(annaEnglish).toContain('Total time: 1 h 30 min');

    const annaAccount = (await anna.get('/portal/account')).text;
    expect(annaAccount).toContain('Tecnico Anna');
    expect(annaAccount).toContain(`href="/portal/tickets/${annaTicket}"`);
    expect(annaAccount).not.toContain('Tecnico Bruno');

    const brunoPortal = (await bruno.get('/portal?lang=it')).text;
    expect(brunoPortal).toContain('Tempo totale: 30 min');
    expect(brunoPortal).not.toContain('1 h 30 min');
    expect(brunoPortal).not.toContain('02/03/99');
    expect(brunoPortal).not.toContain(`ticket n. ${annaTicket}`);
    const brunoAccount = (await bruno.get('/portal/account')).text;
    expect(brunoAccount).toContain('Tecnico Bruno');
    expect(brunoAccount).not.toContain('Tecnico Anna');
  });

  it('answers a reply to a ticket number that is not a number with "not found", not a server error', async () => {
    const anna = await signedIn('anna@example.test');
    for (const number of ['abc', '1e3', '99999999999999999999']) {
      const reply = await anna.post(`/portal/tickets/${number}/reply`, {
        text: 'ciao',
        nonce: `nan-${number}`,
      });
      expect(reply.response.status).toBe(404);
      expect(reply.text).toContain('Pagina non trovata.');
    }
  });

  it('says in the customer language that a file is over the limit, and which limit', async () => {
    const anna = await signedIn('anna@example.test');
    await anna.get('/portal?lang=en');
    const form = new FormData();
    form.append('subject', 'Big');
    form.append('text', 'see file');
    form.append('nonce', 'big-1');
    form.append(
      'attachments',
      new Blob([new Uint8Array(WEB_TEST_SETTINGS.maxAttachmentBytes + 1)]),
      'big.bin',
    );
    const upload = await anna.post('/portal/tickets', {}, form);
    expect(upload.response.status).toBe(413);
    expect(upload.text).toContain('<html lang="en">');
    expect(upload.text).toContain('2 MB');
    expect(upload.text).not.toContain('request file too large');
    expect(upload.text).not.toContain('try again later');
  });
});

/** The set/reset links mailed to an address so far, oldest first (path and query). */
async function linksTo(address: string): Promise<string[]> {
  const { rows } = await app.database.sql.query<{ payload: string }>(
    'select payload::text as payload from deliveries where recipient_address = $1 order by id',
    [address],
  );
  return rows.flatMap((r) => [...r.payload.matchAll(/\/password\?token=([\w%-]+)/g)].map((m) => m[0]));
}

const registration = (email: string, extra: Record<string, string> = {}) => ({
  kind: 'company',
  name: 'Ditta',
  vatNumber: VAT,
  contactName: 'Carla',
  email,
  phone: '055 123456',
  termsVersion: '1',
  acceptTerms: 'yes',
  acceptPrivacy: 'yes',
  ...extra,
});

describe('accounts under attack', () => {
  it('rotates the session id at sign-in and accepts the address in another case with spaces', async () => {
    await customer('carla@example.test');
    const client = await signedIn('carla@example.test');
    const before = client.cookies.get('hd_session');
    await client.get('/signin');
    const { response } = await client.post('/signin', { email: '  Carla@Example.TEST ', password: PASSWORD });
    expect(response.headers.get('location')).toBe('/portal');
    expect(client.cookies.get('hd_session')).toBeTruthy();
    expect(client.cookies.get('hd_session')).not.toBe(before);
    // The old id (as a fixed or stolen cookie) is worth nothing now.
    const old = new Client();
    old.cookies.set('hd_session', before!);
    expect((await old.get('/portal')).response.headers.get('location')).toBe('/signin');
  });

  it('locks a known and an unknown address alike (same answers, same statuses)', async () => {
    await customer('dario@example.test');
    const answers = async (email: string) => {
      const client = new Client();
      await client.get('/signin');
      const seen: string[] = [];
      for (let i = 0; i < 7; i++) {
        const { response, text } = await client.post('/signin', { email, password: `wrong password ${i}` });
        seen.push(`${response.status} ${/role="alert">([^<]+)/.exec(text)?.[1]}`);
      }
      // While locked, even the right password gets the same page as for an unknown address (the
      // locked path checks a password too, so it costs what the unknown path costs).
      const locked = await client.post('/signin', { email, password: PASSWORD });
      const page = locked.text.replace(/name="_csrf" value="[^"]+"/g, '').replaceAll(email, '<email>');
      seen.push(`${locked.response.status} ${page}`);
      return seen;
    };
    expect(await answers('dario@example.test')).toEqual(await answers('nessuno@example.test'));
  });

  it('signs out every other session and kills the older links when the password is reset', async () => {
    await customer('elena@example.test');
    const thief = await signedIn('elena@example.test');
    const owner = new Client();
    await owner.get('/password/forgot');
    await owner.post('/password/forgot', { email: 'elena@example.test' });
    await owner.post('/password/forgot', { email: 'elena@example.test' });
    const [first, second] = (await linksTo('elena@example.test')).slice(-2);
    await owner.get(second!);
    const set = await owner.post('/password', {
      token: decodeURIComponent(second!.split('token=')[1]!),
      password: 'a brand new password 7',
    });
    expect(set.response.headers.get('location')).toBe('/signin?done=password');
    // The same link again, and the older one: both dead.
    expect((await owner.get(second!)).response.status).toBe(400);
    expect((await owner.get(first!)).response.status).toBe(400);
    // A tampered link.
    expect((await owner.get(`${second!}x`)).response.status).toBe(400);
    // Whoever was signed in before the reset is out.
    expect((await thief.get('/portal')).response.headers.get('location')).toBe('/signin');
  });

  it('double submit of the registration form mails the set-password link once, and nothing else', async () => {
    const client = new Client();
    await client.get('/register');
    const first = await client.post('/register', registration('fabio@example.test'));
    const second = await client.post('/register', registration('Fabio@example.test '));
    expect(first.response.headers.get('location')).toBe('/register/done');
    expect(second.response.headers.get('location')).toBe('/register/done');
    const { rows } = await app.database.sql.query<{ n: number }>(
      "select count(*)::int as n from deliveries where recipient_address = 'fabio@example.test'",
    );
    expect(rows[0]!.n).toBe(1);
    // Someone else's form with the same address, even at once: its owner is told (issue #22).
    await client.post('/register', registration('fabio@example.test', { name: 'Altra ditta' }));
    const after = await app.database.sql.query<{ n: number }>(
      "select count(*)::int as n from deliveries where recipient_address = 'fabio@example.test'",
    );
    expect(after.rows[0]!.n).toBe(2);
  });

  it("cannot starve the owner's password reset by registering their address again and again", async () => {
    await customer('ugo@example.test');
    for (let i = 0; i < 5; i++) {
      const attacker = new Client();
      await attacker.get('/register');
      const sent = await attacker.post('/register', registration('ugo@example.test', { name: `Finta ${i}` }));
      expect(sent.response.headers.get('location')).toBe('/register/done');
    }
    const notices = await app.database.sql.query<{ status: string }>(
      "select status from deliveries where recipient_address = 'ugo@example.test' order by id",
    );
    // The set-password mail of the registration, then one "already registered" notice an hour.
    expect(notices.rows.map((r) => r.status === 'suppressed')).toEqual([
      false,
      false,
      true,
      true,
      true,
      true,
    ]);
    const owner = new Client();
    await owner.get('/password/forgot');
    await owner.post('/password/forgot', { email: 'ugo@example.test' });
    const [reset] = (
      await app.database.sql.query<{ status: string }>(
        "select status from deliveries where recipient_address = 'ugo@example.test' order by id desc limit 1",
      )
    ).rows;
    expect(reset!.status).not.toBe('suppressed');
  });

  it('shows markup typed in the form as text and keeps an emoji whole at the length limit', async () => {
    const client = new Client();
    await client.get('/register');
    const nasty = '<script>alert(1)</script><img src=x onerror=alert(1)>"\'';
    const page = await client.post(
      '/register',
      registration('not an address', { name: nasty, contactName: nasty, phone: nasty, telegram: nasty }),
    );
    expect(page.response.status).toBe(400);
    expect(page.text).not.toContain('<script>alert');
    expect(page.text).not.toContain('<img src=x');
    const tooLong = await client.post(
      '/register',
      registration('gino@example.test', { name: `${'a'.repeat(300)}😀` }),
    );
    expect(tooLong.response.status).toBe(400);
    expect(tooLong.text).toContain('Al massimo 300 caratteri.');
    const longest = `${'a'.repeat(299)}😀`;
    const done = await client.post('/register', registration('gino@example.test', { name: longest }));
    expect(done.response.headers.get('location')).toBe('/register/done');
    const { rows } = await app.database.sql.query<{ name: string }>(
      "select c.name from customers c join web_accounts a on a.customer_id = c.id where a.email = 'gino@example.test'",
    );
    expect(rows[0]!.name).toBe(longest);
  });

  it('takes a NUL character in any field without an error page, the values kept', async () => {
    const client = new Client();
    await client.get('/register');
    const fields = ['name', 'vatNumber', 'contactName', 'phone', 'telegram'] as const;
    for (const field of fields) {
      const values: Record<string, string> = registration('nul@example.test', { telegram: 'carla_nul' });
      const page = await client.post('/register', {
        ...values,
        email: 'not an address\u0000',
        [field]: `${values[field]}\u0000`,
      });
      expect({ field, status: page.response.status }).toEqual({ field, status: 400 });
      expect(page.text).toContain('value="Ditta"');
    }
    const done = await client.post(
      '/register',
      registration('nul@example.test', { name: 'Ditta\u0000 Nul', contactName: '\u0000Carla' }),
    );
    expect(done.response.headers.get('location')).toBe('/register/done');
    const { rows } = await app.database.sql.query<{ name: string }>(
      "select c.name from customers c join web_accounts a on a.customer_id = c.id where a.email = 'nul@example.test'",
    );
    expect(rows[0]!.name).toBe('Ditta Nul');
  });

  it('refuses an invalid VAT number given by a private person', async () => {
    const client = new Client();
    await client.get('/register');
    const page = await client.post(
      '/register',
      registration('privato@example.test', {
        kind: 'person',
        name: 'Mario Rossi',
        vatNumber: '12345678901',
        taxCode: 'RSSMRA85T10A562S',
      }),
    );
    expect(page.response.status).toBe(400);
    expect(page.text).toContain('Partita IVA non valida');
    expect(page.text).toContain('value="12345678901"');
  });

  it('sends a signed-in customer from the registration page to the portal', async () => {
    const anna = await signedIn('anna@example.test');
    expect((await anna.get('/register')).response.headers.get('location')).toBe('/portal');
  });
});

describe('long messages', () => {
  it('refuses a subject or text over the limits with a clear error instead of cutting them', async () => {
    const anna = await signedIn('anna@example.test');
    for (const [subject, text] of [
      ['s'.repeat(201), 'short'],
      ['short', 't'.repeat(70_000)],
    ] as const) {
      const form = new FormData();
      form.append('subject', subject);
      form.append('text', text);
      form.append('nonce', `long-${subject.length}-${text.length}`);
      const sent = await anna.post('/portal/tickets', {}, form);
      expect(sent.response.status).toBeGreaterThanOrEqual(400);
      expect(sent.text).toContain('Messaggio troppo lungo');
    }
    const { rows } = await app.database.sql.query<{ n: number }>(
      "select count(*)::int as n from tickets where subject like 'sss%' or subject = 'short'",
    );
    expect(rows[0]!.n).toBe(0);
  });
});

describe('pages that do not exist', () => {
  it('answers an unknown portal page with our page and its CSP, and leaves the API its JSON', async () => {
    const client = new Client();
    const page = await client.get('/portal/nope?lang=en');
    expect(page.response.status).toBe(404);
    expect(page.response.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.text).toContain('Page not found.');
    const api = await app.api('/nope');
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/json');
  });
});

describe('double submit of a portal form', () => {
  it('stores one message and takes the second submit to the same ticket', async () => {
    const anna = await signedIn('anna@example.test');
    const send = () =>
      anna.post('/portal/tickets', { subject: 'Doppio', text: 'Due clic', nonce: 'twice-1' });
    const first = await send();
    const second = await send();
    expect(first.response.headers.get('location')).toMatch(/^\/portal\/tickets\/\d+\?sent=1$/);
    expect(second.response.headers.get('location')).toBe(first.response.headers.get('location'));
    const { rows } = await app.database.sql.query<{ n: number }>(
      "select count(*)::int as n from tickets where subject = 'Doppio'",
    );
    expect(rows[0]!.n).toBe(1);
  });

  it('keeps the link token in the set-password page language switch', async () => {
    const client = new Client();
    await client.get('/password/forgot');
    await client.post('/password/forgot', { email: 'anna@example.test' });
    const link = (await linksTo('anna@example.test')).at(-1)!;
    const page = await client.get(link);
    const switchHref = /<a href="([^"]+)" lang="en"/.exec(page.text)?.[1]?.replaceAll('&amp;', '&');
    expect(switchHref).toBeDefined();
    const token = new URL(link, app.url).searchParams.get('token');
    expect(new URL(switchHref!, app.url).searchParams.get('token')).toBe(token);
    const english = await client.get(switchHref!);
    expect(english.response.status).toBe(200);
    expect(english.text).toContain('lang="en"');
  });

  it('refuses an expired set-password link', async () => {
    const client = new Client();
    await client.get('/password/forgot');
    await client.post('/password/forgot', { email: 'anna@example.test' });
    const link = (await linksTo('anna@example.test')).at(-1)!;
    expect((await client.get(link)).response.status).toBe(200);
    await app.database.sql.query("update web_tokens set expires_at = now() - interval '1 second'");
    expect((await client.get(link)).response.status).toBe(400);
  });
});
