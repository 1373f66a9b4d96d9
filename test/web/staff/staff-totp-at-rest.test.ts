import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpKeySource } from '../../../src/config.js';
import { createStaffAccount, staffSession, totpCode } from '../../helpers/staff-kit.js';
import { seedEmbeddedDataDir } from '../../helpers/store-template.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { createTestStore, type TestStore } from '../../helpers/test-database.js';
import { WEB_TEST_SETTINGS, webOnlyAdapter } from '../../helpers/web-kit.js';

// Staff TOTP secrets at rest (#25): encrypted with a key that is not in the store — here the key
// file DATA_DIR/totp.key, as without APP_SECRET — and still good for signing in after a restart.
// The store is on disk (embedded) or a server database, so it outlives the first app.
const PASSWORD = 'password-amministratore-1';
let dir: string;
let base: TestStore;
let store: TestStore;
let app: TestApp | undefined;

/** The app on the kept store; its web channel takes the key as src/config.ts sets it. */
const start = (appSecret?: string) =>
  startTestApp({
    store,
    env: { APP_SECRET: appSecret ?? '' },
    adapters: (_context, core) => [
      webOnlyAdapter(core, { settings: { ...WEB_TEST_SETTINGS, totpKey: totpKeySource(dir, appSecret) } }),
    ],
  });

/** Everything in the store that could hold a secret, as text: a dump of it, in short. */
async function dump(app: TestApp): Promise<string> {
  const { rows } = await app.database.sql.query<{ t: string }>(
    `select (select coalesce(json_agg(s)::text, '') from staff_accounts s)
         || (select coalesce(json_agg(w)::text, '') from web_sessions w)
         || (select coalesce(json_agg(a)::text, '') from audit_log a) as t`,
  );
  return rows[0]!.t;
}

beforeAll(async () => {
  base = await createTestStore();
  dir = mkdtempSync(path.join(tmpdir(), 'hd-totp-'));
  store = { databaseUrl: base.databaseUrl, dataDir: dir, drop: base.drop };
  // Embedded: the store on disk starts as the migrated template, like the in-memory ones.
  if (!base.databaseUrl) await seedEmbeddedDataDir(dir);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await base?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('TOTP secrets at rest', { timeout: 120_000 }, () => {
  let secret = '';
  const legacy = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

  it('enrols an admin: neither the account nor the session in the store holds the secret', async () => {
    app = await start();
    await createStaffAccount(app.core, { email: 'admin@shop.test', role: 'admin', password: PASSWORD });
    const { cookie, csrfToken } = await staffSession(app.url, {
      email: 'admin@shop.test',
      password: PASSWORD,
    });
    const enrol = await (
      await fetch(`${app.url}/staff/account/totp`, { headers: { cookie }, redirect: 'manual' })
    ).text();
    secret = new URLSearchParams(
      /otpauth:\/\/totp\/[^?]+\?([^"<]+)/.exec(enrol)![1]!.replaceAll('&amp;', '&'),
    ).get('secret')!;
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(await dump(app)).not.toContain(secret);
    const enabled = await fetch(`${app.url}/staff/account/totp`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrfToken, code: await totpCode(secret) }).toString(),
      redirect: 'manual',
    });
    expect(enabled.headers.get('location')).toBe('/staff/account?done=totp-on');
    const { rows } = await app.database.sql.query<{ totp_secret: string }>(
      "select totp_secret from staff_accounts where email = 'admin@shop.test'",
    );
    expect(rows[0]!.totp_secret).toMatch(/^v1\./);
    expect(await dump(app)).not.toContain(secret);
    // The key is beside the store, readable by its owner only.
    expect(statSync(path.join(dir, 'totp.key')).mode & 0o777).toBe(0o600);
    // An account whose secret an earlier version stored in clear.
    await createStaffAccount(app.core, {
      email: 'vecchio@shop.test',
      role: 'admin',
      password: PASSWORD,
      totpSecret: legacy,
    });
    expect(await dump(app)).toContain(legacy);
    await app.close();
    app = undefined;
  });

  it('after a restart: the clear secret is encrypted at start, and both admins sign in with a code', async () => {
    app = await start();
    expect(await dump(app)).not.toContain(legacy);
    for (const [email, totpSecret] of [
      ['admin@shop.test', secret],
      ['vecchio@shop.test', legacy],
    ] as const) {
      const { cookie } = await staffSession(app.url, { email, password: PASSWORD, totpSecret });
      const account = await fetch(`${app.url}/staff/account`, { headers: { cookie }, redirect: 'manual' });
      expect(account.status, email).toBe(200);
    }
    await app.close();
    app = undefined;
  });

  it('with another key (APP_SECRET set now) says the key changed instead of calling the code wrong', async () => {
    app = await start('un-altro-segreto-di-prova-42');
    await expect(
      staffSession(app.url, { email: 'admin@shop.test', password: PASSWORD, totpSecret: secret }),
    ).rejects.toThrow(/500 .*chiave che cifra i segreti TOTP è cambiata/);
  });
});
