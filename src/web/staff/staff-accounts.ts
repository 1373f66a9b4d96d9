import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { staffActor } from '../../core/actors.js';
import { audit } from '../../core/audit.js';
import type { CoreContext, CoreSettings } from '../../core/core-context.js';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { Tx } from '../../db/database.js';
import { staffAccounts, staffTokens, webSessions } from '../../db/schema.js';
import type { WebAccountSettings } from '../accounts.js';
import { hashPassword } from '../passwords.js';
import { type PasswordCheck, SignInLockout } from '../sign-in-lockout.js';

export type StaffRole = 'admin' | 'technician';
export type StaffAccountRow = typeof staffAccounts.$inferSelect;

/** How long a staff set-password link works (hours): a day, as the customers' (OWASP). */
export const STAFF_LINK_HOURS = 24;

/** What staff-account operations need: the store, the clock, PUBLIC_URL (the CLI builds just this). */
export type StaffStore = Pick<CoreContext, 'database' | 'now'> & {
  settings: Pick<CoreSettings, 'publicUrl' | 'companyName'>;
};

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');
export const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** `PUBLIC_URL/staff/set-password?token=…` */
export const staffLinkTo = (ctx: StaffStore, token: string) =>
  `${ctx.settings.publicUrl.replace(/\/$/, '')}/staff/set-password?token=${encodeURIComponent(token)}`;

/**
 * A one-time set-password link for a staff account, valid `hours` (default 24): the earlier
 * unused links of the account stop working; only the token's SHA-256 is stored, never the link.
 */
export async function issueStaffLink(
  ctx: StaffStore,
  tx: Tx,
  accountId: bigint,
  hours = STAFF_LINK_HOURS,
): Promise<string> {
  const now = ctx.now();
  await tx.db
    .update(staffTokens)
    .set({ usedAt: now })
    .where(and(eq(staffTokens.accountId, accountId), isNull(staffTokens.usedAt)));
  const token = randomBytes(32).toString('base64url');
  await tx.db.insert(staffTokens).values({
    tokenHash: tokenHash(token),
    accountId,
    expiresAt: new Date(now.getTime() + hours * 3600_000),
  });
  return staffLinkTo(ctx, token);
}

/**
 * Creates a staff account (no password yet) and returns it with its one-time set-password link.
 * An address already used by a staff account: {@link ConflictError}. `actor` goes to the audit log.
 */
export async function createStaffAccount(
  ctx: StaffStore,
  input: { email: string; name: string; role: StaffRole; slackUserId?: string | null },
  actor: string,
): Promise<{ account: StaffAccountRow; link: string }> {
  const email = normaliseEmail(input.email);
  return ctx.database.transaction(async (tx) => {
    const [account] = await tx.db
      .insert(staffAccounts)
      .values({
        email,
        name: input.name.trim() || email,
        role: input.role,
        slackUserId: input.slackUserId || null,
        createdAt: ctx.now(),
      })
      .onConflictDoNothing()
      .returning();
    if (!account) throw new ConflictError(`a staff account with ${email} (or that Slack user id) exists`);
    const link = await issueStaffLink(ctx, tx, account.id);
    await audit(tx, {
      actor,
      action: 'staff.created',
      data: { staffId: account.id.toString(), email, role: input.role },
    });
    return { account, link };
  });
}

/** Whether any staff account exists (the first start prints a link for the first admin when none does). */
export async function hasStaffAccounts(ctx: StaffStore): Promise<boolean> {
  const rows = await ctx.database.db.select({ id: staffAccounts.id }).from(staffAccounts).limit(1);
  return rows.length > 0;
}

export async function listStaffAccounts(ctx: StaffStore): Promise<StaffAccountRow[]> {
  return ctx.database.db.select().from(staffAccounts).orderBy(asc(staffAccounts.name), asc(staffAccounts.id));
}

export async function staffAccountById(ctx: StaffStore, id: string | bigint) {
  if (!/^\d{1,19}$/.test(String(id))) return undefined;
  const [row] = await ctx.database.db
    .select()
    .from(staffAccounts)
    .where(eq(staffAccounts.id, BigInt(id)));
  return row;
}

/** The enabled account a set-password link belongs to, when the link is still good. */
export async function staffAccountForToken(ctx: StaffStore, token: string) {
  const [row] = await ctx.database.db
    .select({ account: staffAccounts, expiresAt: staffTokens.expiresAt })
    .from(staffTokens)
    .innerJoin(staffAccounts, eq(staffAccounts.id, staffTokens.accountId))
    .where(and(eq(staffTokens.tokenHash, tokenHash(token)), isNull(staffTokens.usedAt)));
  if (!row || row.expiresAt.getTime() <= ctx.now().getTime() || row.account.disabledAt) return undefined;
  return row.account;
}

/**
 * Uses up a staff link's token of `purpose` (one statement, so a token works once even when two
 * requests bring it at the same time). The token's row when it was unused and is unexpired.
 */
export async function useStaffToken(
  tx: Tx,
  token: string,
  purpose: 'set_password' | 'first_admin',
  now: Date,
) {
  const [used] = await tx.db
    .update(staffTokens)
    .set({ usedAt: now })
    .where(
      and(
        eq(staffTokens.tokenHash, tokenHash(token)),
        eq(staffTokens.purpose, purpose),
        isNull(staffTokens.usedAt),
      ),
    )
    .returning();
  return used && used.expiresAt.getTime() > now.getTime() ? used : undefined;
}

/**
 * Uses a set-password link once: stores the scrypt hash, lifts a lock-out and ends the account's
 * sessions (whoever knew the old password is out). Undefined for a used, expired or unknown link.
 */
export async function setStaffPassword(ctx: StaffStore, token: string, password: string) {
  const hash = await hashPassword(password);
  return ctx.database.transaction(async (tx) => {
    const now = ctx.now();
    const used = await useStaffToken(tx, token, 'set_password', now);
    if (!used?.accountId) return undefined;
    const [account] = await tx.db
      .update(staffAccounts)
      .set({ passwordHash: hash, passwordSetAt: now, failedSignIns: 0, lockedUntil: null })
      .where(and(eq(staffAccounts.id, used.accountId), isNull(staffAccounts.disabledAt)))
      .returning();
    if (!account) return undefined;
    await endStaffSessions(tx, account.id);
    await audit(tx, { actor: staffActor(account.id), action: 'staff.password_set' });
    return account;
  });
}

/** Removes every session signed in (or half signed in) as this staff account. */
export async function endStaffSessions(tx: Tx, accountId: bigint): Promise<void> {
  await tx.db
    .delete(webSessions)
    .where(
      sql`${webSessions.data}->>'staffId' = ${accountId.toString()} or ${webSessions.data}->>'staffPendingId' = ${accountId.toString()}`,
    );
}

export type StaffPasswordResult = PasswordCheck<StaffAccountRow>;

/** The staff lock-out (sign-in-lockout.ts, the portal's rule); a lock is audit-logged with the address. */
const lockout = new SignInLockout<StaffAccountRow>({
  table: 'staff_accounts',
  onLocked: (tx, account) =>
    audit(tx, { actor: 'web', action: 'staff.locked', data: { email: account.email } }),
});

/**
 * The first step of a staff sign-in: the password. After `signInAttempts` failures in a row the
 * account is locked for `lockoutMs`; an unknown or disabled address answers exactly like a wrong
 * password and takes as long (the decoy hash). The count is reset by {@link recordStaffSuccess},
 * once the second factor (when the account has one) is through too.
 */
export async function checkStaffPassword(
  ctx: StaffStore,
  settings: WebAccountSettings,
  emailInput: string,
  password: string,
): Promise<StaffPasswordResult> {
  const email = normaliseEmail(emailInput);
  const [account] = await ctx.database.db.select().from(staffAccounts).where(eq(staffAccounts.email, email));
  const usable = account && !account.disabledAt ? account : undefined;
  return lockout.checkPassword(ctx, settings, email, usable, password);
}

/** Whether the account is locked now (the second-factor step refuses it). */
export const isStaffLocked = (ctx: StaffStore, account: StaffAccountRow): boolean =>
  lockout.isLocked(account, ctx.now().getTime());

/** One more failed password or code; locks the account at `signInAttempts` in a row. */
export function recordStaffFailure(
  ctx: StaffStore,
  settings: WebAccountSettings,
  account: StaffAccountRow,
): Promise<void> {
  return lockout.recordFailure(ctx, settings, account);
}

/** A complete sign-in: the failure count goes back to zero. */
export function recordStaffSuccess(ctx: StaffStore, accountId: bigint): Promise<void> {
  return lockout.recordSuccess(ctx, accountId);
}

/** Sets (or clears, with null/empty) a staff account's Slack user id; one account per Slack user. */
export async function setStaffSlackUserId(
  ctx: StaffStore,
  accountId: bigint,
  slackUserId: string | null,
  actor: string,
): Promise<void> {
  await ctx.database.transaction(async (tx) => {
    const [taken] = slackUserId
      ? await tx.db
          .select({ id: staffAccounts.id })
          .from(staffAccounts)
          .where(eq(staffAccounts.slackUserId, slackUserId))
      : [];
    if (taken && taken.id !== accountId)
      throw new ConflictError(`Slack user ${slackUserId} is on another account`);
    const [row] = await tx.db
      .update(staffAccounts)
      .set({ slackUserId: slackUserId || null })
      .where(eq(staffAccounts.id, accountId))
      .returning();
    if (!row) throw new NotFoundError('staff account', accountId.toString());
    await audit(tx, {
      actor,
      action: 'staff.slack_user_set',
      data: { staffId: accountId.toString(), slackUserId: slackUserId || null },
    });
  });
}

/** Disables a staff account: no sign-in, its sessions end, Slack no longer takes it as a technician. */
export async function disableStaffAccount(ctx: StaffStore, accountId: bigint, actor: string): Promise<void> {
  await ctx.database.transaction(async (tx) => {
    const [row] = await tx.db
      .update(staffAccounts)
      .set({ disabledAt: ctx.now() })
      .where(and(eq(staffAccounts.id, accountId), isNull(staffAccounts.disabledAt)))
      .returning();
    if (!row) return;
    await endStaffSessions(tx, accountId);
    await audit(tx, {
      actor,
      action: 'staff.disabled',
      data: { staffId: accountId.toString(), email: row.email },
    });
  });
}
