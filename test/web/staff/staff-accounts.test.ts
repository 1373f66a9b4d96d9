import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretKeyError } from '../../../src/core/errors.js';
import { type Database, openDatabase } from '../../../src/db/database.js';
import {
  createAdminFromCli,
  createFirstAdmin,
  issueFirstAdminLink,
} from '../../../src/web/staff/first-admin.js';
import {
  checkStaffPassword,
  createStaffAccount,
  disableStaffAccount,
  type StaffStore,
  setStaffPassword,
  setStaffSlackUserId,
  staffAccountById,
  staffAccountForToken,
} from '../../../src/web/staff/staff-accounts.js';
import { disableTotp, enableTotp, newTotpSecret, useTotpCode } from '../../../src/web/staff/staff-totp.js';
import { TotpSecretBox } from '../../../src/web/staff/totp-secret-box.js';
import { totpCode } from '../../helpers/staff-kit.js';
import { createTestStore, type TestStore } from '../../helpers/test-database.js';

// Staff accounts, links and TOTP on the real store (PGlite, or PostgreSQL with DATABASE_URL).
let store: TestStore;
let database: Database;
let clock = new Date('2026-12-01T09:00:00Z');
let ctx: StaffStore;
const SETTINGS = { signInAttempts: 3, lockoutMs: 15 * 60_000 };
const box = new TotpSecretBox({ appSecret: 'staff-accounts-test-secret' });
const tokenOf = (link: string) => new URL(link).searchParams.get('token')!;

beforeAll(async () => {
  store = await createTestStore();
  database = await openDatabase({ databaseUrl: store.databaseUrl, dataDir: store.dataDir });
  ctx = {
    database,
    now: () => clock,
    settings: { publicUrl: 'https://help.example.it/', companyName: 'Shop' },
  };
});

afterAll(async () => {
  await database?.close();
  await store?.drop();
});

describe('first admin', () => {
  it('makes one admin from the start-up link, once, and no link once staff exist', async () => {
    const first = (await issueFirstAdminLink(ctx))!;
    const second = (await issueFirstAdminLink(ctx))!;
    expect(first).toMatch(/^https:\/\/help\.example\.it\/staff\/set-password\?token=[\w-]{43}$/);
    const { rows } = await database.sql.query<{ token_hash: string }>('select token_hash from staff_tokens');
    expect(rows.map((r) => r.token_hash)).not.toContain(tokenOf(first));
    const admin = await createFirstAdmin(ctx, tokenOf(first), {
      email: 'Owner@Shop.it',
      name: 'Owner',
      password: 'password-owner-1',
    });
    expect(admin).toMatchObject({ email: 'owner@shop.it', role: 'admin' });
    expect(
      await createFirstAdmin(ctx, tokenOf(first), {
        email: 'x@shop.it',
        name: 'X',
        password: 'p'.repeat(12),
      }),
    ).toBe(undefined);
    expect(
      await createFirstAdmin(ctx, tokenOf(second), {
        email: 'y@shop.it',
        name: 'Y',
        password: 'p'.repeat(12),
      }),
    ).toBe(undefined);
    expect(await issueFirstAdminLink(ctx)).toBeUndefined();
  });

  it('admin:create makes an admin, gives an existing admin a new link and refuses a technician', async () => {
    const made = await createAdminFromCli(ctx, 'boss@shop.it', 'Boss');
    expect(made.created).toBe(true);
    const again = await createAdminFromCli(ctx, 'BOSS@shop.it');
    expect(again.created).toBe(false);
    expect(await staffAccountForToken(ctx, tokenOf(made.link))).toBeUndefined();
    expect((await staffAccountForToken(ctx, tokenOf(again.link)))?.email).toBe('boss@shop.it');
    await createStaffAccount(ctx, { email: 'tech@shop.it', name: 'Tech', role: 'technician' }, 'test');
    await expect(createAdminFromCli(ctx, 'tech@shop.it')).rejects.toThrow('not changed');
  });
});

describe('staff accounts', () => {
  it('keeps emails and Slack ids unique and roles to admin or technician', async () => {
    await createStaffAccount(
      ctx,
      { email: 'luca@shop.it', name: 'Luca', role: 'technician', slackUserId: 'U0LUCA' },
      't',
    );
    await expect(
      createStaffAccount(ctx, { email: ' LUCA@shop.it ', name: 'Luca 2', role: 'technician' }, 't'),
    ).rejects.toThrow('exists');
    await expect(
      createStaffAccount(
        ctx,
        { email: 'other@shop.it', name: 'O', role: 'technician', slackUserId: 'U0LUCA' },
        't',
      ),
    ).rejects.toThrow('exists');
    await expect(
      database.sql.query("insert into staff_accounts (email, name, role) values ('r@shop.it', 'R', 'boss')"),
    ).rejects.toThrow();
    const other = await createStaffAccount(
      ctx,
      { email: 'marta@shop.it', name: 'Marta', role: 'technician' },
      't',
    );
    await expect(setStaffSlackUserId(ctx, other.account.id, 'U0LUCA', 't')).rejects.toThrow(
      'another account',
    );
    await setStaffSlackUserId(ctx, other.account.id, 'U0MARTA', 't');
    expect((await staffAccountById(ctx, other.account.id))?.slackUserId).toBe('U0MARTA');
  });

  it('sets a password through a link that works once and for 24 hours', async () => {
    const { account, link } = await createStaffAccount(
      ctx,
      { email: 'gio@shop.it', name: 'Gio', role: 'technician' },
      't',
    );
    const late = await createStaffAccount(
      ctx,
      { email: 'late@shop.it', name: 'Late', role: 'technician' },
      't',
    );
    expect(await setStaffPassword(ctx, tokenOf(link), 'password-gio-1')).toMatchObject({ id: account.id });
    expect(await setStaffPassword(ctx, tokenOf(link), 'password-gio-2')).toBeUndefined();
    expect(await checkStaffPassword(ctx, SETTINGS, 'GIO@shop.it', 'password-gio-1')).toMatchObject({
      status: 'ok',
    });
    clock = new Date(clock.getTime() + 24 * 3600_000);
    expect(await staffAccountForToken(ctx, tokenOf(late.link))).toBeUndefined();
    expect(await setStaffPassword(ctx, tokenOf(late.link), 'password-late-1')).toBeUndefined();
  });

  it('locks after repeated failures and refuses a disabled account like a wrong password', async () => {
    const { account, link } = await createStaffAccount(
      ctx,
      { email: 'ada@shop.it', name: 'Ada', role: 'admin' },
      't',
    );
    await setStaffPassword(ctx, tokenOf(link), 'password-ada-1');
    for (let i = 0; i < 3; i++)
      expect(await checkStaffPassword(ctx, SETTINGS, 'ada@shop.it', 'wrong-password')).toEqual({
        status: 'bad',
      });
    expect((await checkStaffPassword(ctx, SETTINGS, 'ada@shop.it', 'password-ada-1')).status).toBe('locked');
    clock = new Date(clock.getTime() + 16 * 60_000);
    expect((await checkStaffPassword(ctx, SETTINGS, 'ada@shop.it', 'password-ada-1')).status).toBe('ok');
    await disableStaffAccount(ctx, account.id, 't');
    expect(await checkStaffPassword(ctx, SETTINGS, 'ada@shop.it', 'password-ada-1')).toEqual({
      status: 'bad',
    });
  });
});

describe('TOTP', () => {
  it('enrols with a code, then takes each code once and only near its time', async () => {
    const { account } = await createStaffAccount(
      ctx,
      { email: 'totp@shop.it', name: 'T', role: 'admin' },
      't',
    );
    const secret = newTotpSecret();
    const at = (offsetMs: number) => totpCode(secret, clock.getTime() + offsetMs);
    expect(await enableTotp(ctx, box, account, secret, '000000')).toBe(false);
    expect(await enableTotp(ctx, box, account, secret, await at(0))).toBe(true);
    const enrolled = (await staffAccountById(ctx, account.id))!;
    // Stored encrypted, bound to the account (test/web/staff/staff-totp-at-rest.test.ts: the key).
    expect(enrolled.totpSecret).not.toContain(secret);
    expect(box.open(enrolled.totpSecret!, account.id)).toBe(secret);
    // The enrolment code is used up; so is every code once taken.
    expect(await useTotpCode(ctx, box, enrolled, await at(0))).toBe(false);
    clock = new Date(clock.getTime() + 30_000);
    const code = await at(0);
    expect(await useTotpCode(ctx, box, enrolled, code)).toBe(true);
    expect(await useTotpCode(ctx, box, enrolled, code)).toBe(false);
    clock = new Date(clock.getTime() + 30_000);
    expect(await useTotpCode(ctx, box, enrolled, await at(-90_000))).toBe(false);
    expect(await useTotpCode(ctx, box, enrolled, await at(30_000))).toBe(true);
    expect(await useTotpCode(ctx, box, enrolled, 'abcdef')).toBe(false);
    // A code checked against the account as read before the factor was turned off does not turn
    // it back on (the use is refused; the column stays empty).
    await disableTotp(ctx, enrolled);
    clock = new Date(clock.getTime() + 60_000);
    expect(await useTotpCode(ctx, box, enrolled, await at(0))).toBe(false);
    expect((await staffAccountById(ctx, account.id))!.totpSecret).toBeNull();
  });

  it('seals a secret for one account with a key from APP_SECRET or a key file, never opened elsewhere', () => {
    const secret = newTotpSecret();
    const sealed = box.seal(secret, 7n);
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain(secret);
    // The same APP_SECRET gives the same key in another process; a clear value passes as it is.
    const again = new TotpSecretBox({ appSecret: 'staff-accounts-test-secret' });
    expect(again.open(sealed, 7n)).toBe(secret);
    expect(again.open(secret, 7n)).toBe(secret);
    // Copied onto another account, or opened with another key: refused, never a wrong secret.
    expect(() => box.open(sealed, 8n)).toThrow(SecretKeyError);
    expect(() => new TotpSecretBox({ appSecret: 'another-secret-value' }).open(sealed, 7n)).toThrow(
      /another key/,
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'hd-key-'));
    try {
      const file = path.join(dir, 'totp.key');
      const fromFile = new TotpSecretBox({ keyFile: file }).seal(secret, 7n);
      expect(new TotpSecretBox({ keyFile: file }).open(fromFile, 7n)).toBe(secret);
      writeFileSync(file, 'corto\n');
      expect(() => new TotpSecretBox({ keyFile: file }).open(fromFile, 7n)).toThrow(/not a TOTP key/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
