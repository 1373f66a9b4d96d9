import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/database.js';
import { auditLog, staffAccounts } from '../../src/db/schema.js';
import { hashPassword } from '../../src/web/passwords.js';
import { SignInLockout } from '../../src/web/sign-in-lockout.js';
import { createTestStore, type TestStore } from '../helpers/test-database.js';

// The one lock-out of the portal and the staff dashboard (src/web/sign-in-lockout.ts), on the real
// store: what each answer is, that each answer checks one password hash, and that failures sent
// at once all count. The portal's and the staff's own tests (portal-attacks, staff-accounts,
// staff-sign-in) check the same rule through their pages.
let store: TestStore;
let database: Database;
let clock = new Date('2026-12-01T09:00:00Z');
const SETTINGS = { signInAttempts: 3, lockoutMs: 15 * 60_000 };
let hash: string;
const checks: string[] = [];
const lockout = new SignInLockout<typeof staffAccounts.$inferSelect>({
  table: 'staff_accounts',
  onLocked: async (tx, account) => {
    await tx.db.insert(auditLog).values({ actor: 'test', action: 'locked', data: { email: account.email } });
  },
  verify: async (password, against) => {
    checks.push(against === hash ? 'account' : 'decoy');
    return against === hash && password === 'la-password-giusta';
  },
});
const ctx = () => ({ database, now: () => clock });

async function account(email: string) {
  const [row] = await database.db
    .insert(staffAccounts)
    .values({ email, name: email, role: 'technician', passwordHash: hash })
    .returning();
  return row!;
}
const reload = async (id: bigint) =>
  (await database.db.select().from(staffAccounts).where(eq(staffAccounts.id, id)))[0]!;
const check = async (email: string, password: string) => {
  const [row] = await database.db.select().from(staffAccounts).where(eq(staffAccounts.email, email));
  return (await lockout.checkPassword(ctx(), SETTINGS, email, row, password)).status;
};

beforeAll(async () => {
  store = await createTestStore();
  database = await openDatabase({
    databaseUrl: store.databaseUrl,
    dataDir: store.dataDir,
    initialData: store.initialData,
  });
  hash = await hashPassword('la-password-giusta');
});

afterAll(async () => {
  await database?.close();
  await store?.drop();
});

describe('sign-in lock-out', () => {
  it('answers a known and an unknown address alike, each answer after one hash check', async () => {
    await account('nota@shop.test');
    const seen: Record<string, string[]> = {};
    for (const email of ['nota@shop.test', 'ignota@shop.test']) {
      seen[email] = [];
      for (let i = 0; i < 4; i++) {
        checks.length = 0;
        seen[email]!.push(await check(email, 'sbagliata'));
        expect(checks).toHaveLength(1);
      }
      checks.length = 0;
      seen[email]!.push(await check(email, 'la-password-giusta'));
      expect(checks).toEqual([email === 'nota@shop.test' ? 'account' : 'decoy']);
    }
    expect(seen['nota@shop.test']).toEqual(['bad', 'bad', 'bad', 'locked', 'locked']);
    expect(seen['ignota@shop.test']).toEqual(seen['nota@shop.test']);
    const audited = await database.db.select().from(auditLog).where(eq(auditLog.action, 'locked'));
    expect(audited.map((a) => a.data)).toEqual([{ email: 'nota@shop.test' }]);
  });

  it('lets the right password in once the lock-out is over, and success clears the count', async () => {
    clock = new Date(clock.getTime() + SETTINGS.lockoutMs + 1000);
    expect(await check('nota@shop.test', 'la-password-giusta')).toBe('ok');
    expect(await check('nota@shop.test', 'sbagliata')).toBe('bad');
    const row = await reload((await account('altra@shop.test')).id);
    await lockout.recordFailure(ctx(), SETTINGS, row);
    await lockout.recordSuccess(ctx(), row.id);
    expect(await reload(row.id)).toMatchObject({ failedSignIns: 0, lockedUntil: null });
  });

  it('counts failures sent at the same time: a burst of wrong passwords still locks', async () => {
    await account('burst@shop.test');
    const answers = await Promise.all(Array.from({ length: 8 }, () => check('burst@shop.test', 'sbagliata')));
    expect(answers.filter((a) => a === 'bad').length).toBeGreaterThanOrEqual(SETTINGS.signInAttempts);
    expect(await check('burst@shop.test', 'la-password-giusta')).toBe('locked');
  });
});
