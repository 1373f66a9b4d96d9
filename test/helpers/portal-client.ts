import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import type { CoreContext } from '../../src/core/core-context.js';
import { identities, webAccounts } from '../../src/db/schema.js';
import { register } from '../../src/web/accounts.js';
import { hashPassword } from '../../src/web/passwords.js';
import type { TestApp } from './test-app.js';

/** The password every portal test customer gets. */
export const PORTAL_PASSWORD = 'a long enough password 42';

let clients = 0;

/**
 * A browser without JavaScript over plain HTTP: keeps cookies, reads the CSRF token from the last
 * page. Each client has its own address (behind a trusted proxy, `TRUST_PROXY=true`), so the
 * per-address form rate limits stay out of the way.
 */
export class PortalClient {
  address = `192.0.2.${++clients}`;
  cookies = new Map<string, string>();
  csrf = '';
  constructor(private readonly app: TestApp) {}
  async get(path: string) {
    const response = await fetch(`${this.app.url}${path}`, { headers: this.headers(), redirect: 'manual' });
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
    const response = await fetch(`${this.app.url}${path}`, {
      method: 'POST',
      headers: this.headers(),
      body: form,
      redirect: 'manual',
    });
    this.keep(response);
    const text = await response.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
    if (token) this.csrf = token;
    return { response, text };
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

/**
 * A registered customer with a password set (as the set-password link does), activated by staff
 * through the API unless `activate` is false. Returns the customer id.
 */
export async function portalCustomer(
  app: TestApp,
  core: CoreContext,
  email: string,
  options: { activate?: boolean; vatNumber?: string } = {},
): Promise<bigint> {
  await register(core, {
    kind: 'company',
    name: `Ditta ${email}`,
    vatNumber: options.vatNumber ?? '01234567897',
    contactName: 'Mario',
    email,
    phone: '+39 055 123456',
    termsVersion: '1',
    quickAccess: false,
    locale: 'it',
  });
  await core.database.db
    .update(webAccounts)
    .set({ passwordHash: await hashPassword(PORTAL_PASSWORD) })
    .where(eq(webAccounts.email, email));
  await core.database.db.update(identities).set({ verified: true }).where(eq(identities.address, email));
  const [account] = await core.database.db.select().from(webAccounts).where(eq(webAccounts.email, email));
  if (options.activate !== false) {
    const activated = await app.api(`/customers/${account!.customerId}/activate`, { method: 'POST' });
    expect(activated.status).toBeLessThan(300);
  }
  return account!.customerId;
}

/** A client signed in as `email` (with {@link PORTAL_PASSWORD}), on the portal's first page. */
export async function signedInClient(app: TestApp, email: string): Promise<PortalClient> {
  const client = new PortalClient(app);
  await client.get('/signin');
  const { response } = await client.post('/signin', { email, password: PORTAL_PASSWORD });
  expect(response.headers.get('location')).toBe('/portal');
  await client.get('/portal');
  return client;
}
