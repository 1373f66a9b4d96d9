import { generate } from 'otplib';
import type { Page } from 'playwright-core';
import type { CoreContext } from '../../src/core/core-context.js';
import { staffAccounts } from '../../src/db/schema.js';
import { hashPassword } from '../../src/web/passwords.js';
import type { StaffRole } from '../../src/web/staff/staff-auth.js';

export interface StaffCredentials {
  email: string;
  password: string;
  /** The account's TOTP secret, when it has one: the helper types the current code. */
  totpSecret?: string;
}

/**
 * A staff account straight in the store, password already set (and TOTP on when `totpSecret` is
 * given); for tests of what comes after sign-in. Returns its id.
 */
export async function createStaffAccount(
  ctx: Pick<CoreContext, 'database'>,
  input: {
    email: string;
    role: StaffRole;
    password: string;
    name?: string;
    slackUserId?: string;
    totpSecret?: string;
  },
): Promise<string> {
  const [row] = await ctx.database.db
    .insert(staffAccounts)
    .values({
      email: input.email.toLowerCase(),
      name: input.name ?? input.email.split('@')[0]!,
      role: input.role,
      passwordHash: await hashPassword(input.password),
      passwordSetAt: new Date(),
      slackUserId: input.slackUserId ?? null,
      totpSecret: input.totpSecret ?? null,
    })
    .returning({ id: staffAccounts.id });
  return row!.id.toString();
}

/** The TOTP code of `secret` for `at` (default now), as an authenticator app shows it. */
export function totpCode(secret: string, at = Date.now()): Promise<string> {
  return generate({ secret, epoch: Math.floor(at / 1000) });
}

/**
 * Signs in through the staff sign-in page in a real browser (and the code step when the account
 * has TOTP: a code is single-use, so a second sign-in within 30 s types the next step's code,
 * which the server takes within its tolerance). Ends on the page the sign-in leads to.
 */
export async function signInStaff(page: Page, baseUrl: string, credentials: StaffCredentials): Promise<void> {
  await page.goto(`${baseUrl.replace(/\/$/, '')}/staff/sign-in`);
  await page.fill('[name=email]', credentials.email);
  await page.fill('[name=password]', credentials.password);
  await page.click('main button[type=submit]');
  if (!credentials.totpSecret) return;
  for (const offset of [0, 30_000]) {
    if (!new URL(page.url()).pathname.endsWith('/staff/sign-in/code')) return;
    await page.fill('[name=code]', await totpCode(credentials.totpSecret, Date.now() + offset));
    await page.click('main button[type=submit]');
  }
}

/** The `name=value` pairs of Set-Cookie headers, merged into a jar. */
function addCookies(jar: Map<string, string>, response: Response): void {
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(';');
    const at = pair!.indexOf('=');
    jar.set(pair!.slice(0, at).trim(), pair!.slice(at + 1));
  }
}

const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

/**
 * Signs in with fetch (no browser), for tests that request staff pages directly; returns the
 * cookie header to send with them (session and CSRF cookies), and a CSRF token for their forms.
 */
export async function staffSession(
  baseUrl: string,
  credentials: StaffCredentials,
): Promise<{ cookie: string; csrfToken: string }> {
  const base = baseUrl.replace(/\/$/, '');
  const jar = new Map<string, string>();
  const get = async (path: string) => {
    const response = await fetch(`${base}${path}`, {
      headers: { cookie: cookieHeader(jar) },
      redirect: 'manual',
    });
    addCookies(jar, response);
    return response;
  };
  const post = async (path: string, fields: Record<string, string>) => {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
      redirect: 'manual',
    });
    addCookies(jar, response);
    return response;
  };
  let token = csrfOf(await (await get('/staff/sign-in')).text());
  let answer = await post('/staff/sign-in', {
    _csrf: token,
    email: credentials.email,
    password: credentials.password,
  });
  if (answer.headers.get('location') === '/staff/sign-in/code') {
    if (!credentials.totpSecret) throw new Error('the account has TOTP: pass totpSecret');
    for (const offset of [0, 30_000]) {
      token = csrfOf(await (await get('/staff/sign-in/code')).text());
      answer = await post('/staff/sign-in/code', {
        _csrf: token,
        code: await totpCode(credentials.totpSecret, Date.now() + offset),
      });
      if (answer.status === 303) break;
    }
  }
  if (answer.status !== 303 || !jar.has('hd_session')) {
    const notice = /<p class="notice error"[^>]*>([^<]+)</.exec(await answer.text())?.[1] ?? '';
    throw new Error(`staff sign-in failed: ${answer.status} ${notice}`.trim());
  }
  const page = await get('/staff/account');
  return { cookie: cookieHeader(jar), csrfToken: csrfOf(await page.text()) };
}
