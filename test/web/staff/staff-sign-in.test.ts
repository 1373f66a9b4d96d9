import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreContext } from '../../../src/core/core-context.js';
import { createStaffAccount as createWithLink } from '../../../src/web/staff/staff-accounts.js';
import { newTotpSecret } from '../../../src/web/staff/staff-totp.js';
import { createStaffAccount, staffSession } from '../../helpers/staff-kit.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { WEB_TEST_SETTINGS, webOnlyAdapter } from '../../helpers/web-kit.js';

// Staff sign-in over HTTP (no browser): the guard, the generic error, set-password links, TOTP.
let app: TestApp;
let core: CoreContext;
const PASSWORD = 'password-del-tecnico-1';

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

async function page(path: string, cookie?: string) {
  return fetch(`${app.url}${path}`, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
}

beforeAll(async () => {
  app = await startTestApp({
    env: { PUBLIC_URL: 'http://staff.example.test' },
    adapters: (_context, c) => {
      core = c;
      return [webOnlyAdapter(c, { settings: { ...WEB_TEST_SETTINGS, staffRequire2fa: true } })];
    },
  });
});

afterAll(async () => {
  await app?.close();
});

describe('staff sign-in', () => {
  it('sends a visitor to the sign-in page with where they were going', async () => {
    const answer = await page('/staff/account');
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/staff/sign-in?next=%2Fstaff%2Faccount');
  });

  it('answers a wrong password and an unknown address with the same words', async () => {
    await createStaffAccount(core, { email: 'tech1@shop.test', role: 'technician', password: PASSWORD });
    const answers: string[] = [];
    for (const email of ['tech1@shop.test', 'nobody@shop.test']) {
      await expect(staffSession(app.url, { email, password: 'sbagliata-123' })).rejects.toThrow('401');
      const signInPage = await page('/staff/sign-in');
      const cookie = signInPage.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await signInPage.text())![1]!;
      const answer = await fetch(`${app.url}/staff/sign-in`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ _csrf: csrf, email, password: 'sbagliata-123' }),
      });
      expect(answer.status).toBe(401);
      answers.push(/<p class="notice error"[^>]*>([^<]+)</.exec(await answer.text())![1]!);
    }
    expect(answers[0]).toBe('Email o password non corretti.');
    expect(answers[1]).toBe(answers[0]);
  });

  it('lets a technician in without TOTP and keeps admin-only links out of the nav', async () => {
    const { cookie } = await staffSession(app.url, { email: 'tech1@shop.test', password: PASSWORD });
    const account = await page('/staff/account', cookie);
    expect(account.status).toBe(200);
    const html = await account.text();
    expect(html).toContain('tech1@shop.test');
    expect(html).not.toContain('/staff/settings');
  });

  it('sets a password once through the one-time link, then signs in', async () => {
    const { link } = await createWithLink(
      core,
      { email: 'Nuovo@Shop.test', name: 'Nuovo', role: 'technician' },
      'test',
    );
    expect(link).toMatch(/^http:\/\/staff\.example\.test\/staff\/set-password\?token=[\w-]{43}$/);
    const path = link.replace('http://staff.example.test', '');
    const get = await page(path);
    expect(get.status).toBe(200);
    const cookie = get.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await get.text())![1]!;
    const token = new URL(link).searchParams.get('token')!;
    const post = (password: string) =>
      fetch(`${app.url}/staff/set-password`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ _csrf: csrf, token, password }),
        redirect: 'manual',
      });
    const short = await post('corta');
    expect(short.status).toBe(400);
    // The rule in words, by the field (once a bare "short" was shown as the page's error).
    const shortHtml = await short.text();
    expect(shortHtml).toMatch(
      /<p class="error" id="f-password-error">La password deve avere almeno 10 caratteri\.<\/p>/,
    );
    expect(shortHtml).not.toMatch(/>short</);
    const done = await post('una-password-nuova-1');
    expect(done.headers.get('location')).toBe('/staff/sign-in?done=password');
    expect((await post('una-password-nuova-2')).status).toBe(400);
    const { rows } = await app.database.sql.query<{ n: number }>(
      "select count(*)::int as n from staff_tokens where used_at is null and purpose = 'set_password'",
    );
    expect(rows[0]!.n).toBe(0);
    await staffSession(app.url, { email: 'nuovo@shop.test', password: 'una-password-nuova-1' });
  });

  it('asks an admin with TOTP for a code, which works only once', async () => {
    const secret = newTotpSecret();
    await createStaffAccount(core, {
      email: 'admin@shop.test',
      role: 'admin',
      password: PASSWORD,
      totpSecret: secret,
    });
    const { cookie } = await staffSession(app.url, {
      email: 'admin@shop.test',
      password: PASSWORD,
      totpSecret: secret,
    });
    expect((await page('/staff/account', cookie)).status).toBe(200);
  });

  it('sends an admin without TOTP to enrol first when STAFF_REQUIRE_2FA=true', async () => {
    await createStaffAccount(core, { email: 'admin2@shop.test', role: 'admin', password: PASSWORD });
    const { cookie } = await staffSession(app.url, { email: 'admin2@shop.test', password: PASSWORD });
    const answer = await page('/staff/account', cookie);
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/staff/account/totp');
    const enrol = await page('/staff/account/totp', cookie);
    expect(enrol.status).toBe(200);
    expect(await enrol.text()).toContain('otpauth://totp/');
  });

  it('keeps a technician off the admin page (403) and lets an admin create an account with a link', async () => {
    const tech = await staffSession(app.url, { email: 'tech1@shop.test', password: PASSWORD });
    const refused = await page('/staff/accounts', tech.cookie);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('riservata agli amministratori');
    const secret = newTotpSecret();
    await createStaffAccount(core, {
      email: 'boss@shop.test',
      role: 'admin',
      password: PASSWORD,
      totpSecret: secret,
    });
    const boss = await staffSession(app.url, {
      email: 'boss@shop.test',
      password: PASSWORD,
      totpSecret: secret,
    });
    const created = await fetch(`${app.url}/staff/accounts`, {
      method: 'POST',
      headers: { cookie: boss.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: form({
        _csrf: boss.csrfToken,
        name: 'Sara',
        email: 'sara@shop.test',
        role: 'technician',
        slackUserId: 'U0SARA1',
      }),
    });
    expect(created.status).toBe(200);
    expect(await created.text()).toMatch(
      /http:\/\/staff\.example\.test\/staff\/set-password\?token=[\w-]{43}/,
    );
    const { rows } = await app.database.sql.query<{ role: string; slack_user_id: string }>(
      "select role, slack_user_id from staff_accounts where email = 'sara@shop.test'",
    );
    expect(rows).toEqual([{ role: 'technician', slack_user_id: 'U0SARA1' }]);
  });
});
