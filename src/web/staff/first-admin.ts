import { randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { staffActor } from '../../core/actors.js';
import { audit } from '../../core/audit.js';
import { ConflictError } from '../../core/errors.js';
import { staffAccounts, staffTokens } from '../../db/schema.js';
import { hashPassword } from '../passwords.js';
import {
  createStaffAccount,
  hasStaffAccounts,
  issueStaffLink,
  normaliseEmail,
  STAFF_LINK_HOURS,
  type StaffStore,
  staffLinkTo,
  tokenHash,
  useStaffToken,
} from './staff-accounts.js';

/**
 * `npm run admin:create -- email [name]`: a new admin and its one-time set-password link. An
 * existing admin with that address gets a new link instead (a locked-out admin's way back);
 * an existing technician is refused (an admin changes roles on the dashboard).
 */
export async function createAdminFromCli(
  ctx: StaffStore,
  email: string,
  name?: string,
): Promise<{ link: string; created: boolean }> {
  const address = normaliseEmail(email);
  const [existing] = await ctx.database.db
    .select()
    .from(staffAccounts)
    .where(eq(staffAccounts.email, address));
  if (existing) {
    if (existing.role !== 'admin' || existing.disabledAt)
      throw new ConflictError(`${address} is a technician's or a disabled account: not changed`);
    const link = await ctx.database.transaction(async (tx) => {
      const issued = await issueStaffLink(ctx, tx, existing.id);
      await audit(tx, {
        actor: 'cli',
        action: 'staff.link_issued',
        data: { staffId: existing.id.toString() },
      });
      return issued;
    });
    return { link, created: false };
  }
  const { link } = await createStaffAccount(
    ctx,
    { email: address, name: name ?? address, role: 'admin' },
    'cli',
  );
  return { link, created: true };
}

/**
 * At a start with no staff account: a one-time link (valid `hours`) that creates the first admin,
 * for the log. Undefined when staff accounts exist. Each start prints its own; the first one used
 * wins, the others stop working as soon as an account exists. Only the token's hash is stored.
 */
export async function issueFirstAdminLink(
  ctx: StaffStore,
  hours = STAFF_LINK_HOURS,
): Promise<string | undefined> {
  if (await hasStaffAccounts(ctx)) return undefined;
  const token = randomBytes(32).toString('base64url');
  await ctx.database.db.insert(staffTokens).values({
    tokenHash: tokenHash(token),
    purpose: 'first_admin',
    expiresAt: new Date(ctx.now().getTime() + hours * 3600_000),
  });
  return staffLinkTo(ctx, token);
}

/** Whether `token` is a first-admin link that still works (unused, unexpired, no staff account yet). */
export async function isFirstAdminToken(ctx: StaffStore, token: string): Promise<boolean> {
  const [row] = await ctx.database.db
    .select()
    .from(staffTokens)
    .where(
      and(
        eq(staffTokens.tokenHash, tokenHash(token)),
        eq(staffTokens.purpose, 'first_admin'),
        isNull(staffTokens.usedAt),
      ),
    );
  if (!row || row.expiresAt.getTime() <= ctx.now().getTime()) return false;
  return !(await hasStaffAccounts(ctx));
}

/**
 * Uses a first-admin link: creates the admin with its password. Undefined when the link does not
 * work (any more). Serialised by an advisory lock: two links used at once make one admin.
 */
export async function createFirstAdmin(
  ctx: StaffStore,
  token: string,
  input: { email: string; name: string; password: string },
) {
  const hash = await hashPassword(input.password);
  return ctx.database.transaction(async (tx) => {
    await tx.sql.query('select pg_advisory_xact_lock(hashtext($1))', ['staff:first_admin']);
    const now = ctx.now();
    if (!(await useStaffToken(tx, token, 'first_admin', now))) return undefined;
    const [any] = await tx.db.select({ id: staffAccounts.id }).from(staffAccounts).limit(1);
    if (any) return undefined;
    const email = normaliseEmail(input.email);
    const [account] = await tx.db
      .insert(staffAccounts)
      .values({
        email,
        name: input.name.trim() || email,
        role: 'admin',
        passwordHash: hash,
        passwordSetAt: now,
        createdAt: now,
      })
      .returning();
    await audit(tx, {
      actor: staffActor(account!.id),
      action: 'staff.first_admin',
      data: { staffId: account!.id.toString() },
    });
    return account!;
  });
}
