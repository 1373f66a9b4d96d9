import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebAdapter } from '../../src/channels/web/web-adapter.js';
import type { CoreContext } from '../../src/core/core-context.js';
import { identities, webAccounts } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { register } from '../../src/web/accounts.js';
import { hashPassword } from '../../src/web/passwords.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { WEB_TEST_SETTINGS } from '../helpers/web-kit.js';

// An attacker's and a careless customer's tries against the portal, over plain HTTP (no browser).
let app: TestApp;
let core: CoreContext;
const PASSWORD = 'a long enough password 42';

/** A browser without JavaScript: keeps cookies, reads the CSRF token from the last page. */
class Client {
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
    return { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
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
    adapters: (_context, c) => {
      core = c;
      return [
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
      "attachment; filename*=UTF-8''%3Cscript%3E.html",
    );
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
