import { eq } from 'drizzle-orm';
import { audit } from '../core/audit.js';
import type { CoreContext } from '../core/core-context.js';
import { webAccounts } from '../db/schema.js';
import type { WebAccountSettings } from './accounts.js';
import { decoyHash, verifyPassword } from './passwords.js';

export type SignInResult =
  | { status: 'ok'; accountId: bigint; customerId: bigint }
  | { status: 'bad' }
  | { status: 'locked'; until: Date };

/** Failures for addresses without an account, so they lock out like real ones (no enumeration). */
const unknownFailures = new Map<string, { count: number; lockedUntil?: number }>();

/**
 * Checks a password. After `signInAttempts` failures in a row the account is locked for
 * `lockoutMs` (also a right password is refused meanwhile); success resets the count. Every
 * answer (unknown address, locked, wrong, right) checks one password hash, so none is faster.
 */
export async function signIn(
  ctx: CoreContext,
  settings: WebAccountSettings,
  emailInput: string,
  password: string,
): Promise<SignInResult> {
  const email = emailInput.trim().toLowerCase();
  const now = ctx.now().getTime();
  const [account] = await ctx.database.db.select().from(webAccounts).where(eq(webAccounts.email, email));
  if (!account?.passwordHash) {
    await verifyPassword(password, await decoyHash());
    if (unknownFailures.size > 10_000) unknownFailures.clear();
    const entry = unknownFailures.get(email) ?? { count: 0 };
    if (entry.lockedUntil && entry.lockedUntil > now)
      return { status: 'locked', until: new Date(entry.lockedUntil) };
    entry.count += 1;
    if (entry.count >= settings.signInAttempts) {
      entry.count = 0;
      entry.lockedUntil = now + settings.lockoutMs;
    }
    unknownFailures.set(email, entry);
    return { status: 'bad' };
  }
  if (account.lockedUntil && account.lockedUntil.getTime() > now) {
    // As costly as the unknown address's answer (which checks the decoy hash): a fast "locked"
    // would tell a real account from an unknown one. The result is not used.
    await verifyPassword(password, account.passwordHash);
    return { status: 'locked', until: account.lockedUntil };
  }
  if (await verifyPassword(password, account.passwordHash)) {
    await ctx.database.db
      .update(webAccounts)
      .set({ failedSignIns: 0, lockedUntil: null })
      .where(eq(webAccounts.id, account.id));
    return { status: 'ok', accountId: account.id, customerId: account.customerId };
  }
  const failures = account.failedSignIns + 1;
  const lock = failures >= settings.signInAttempts;
  await ctx.database.transaction(async (tx) => {
    await tx.db
      .update(webAccounts)
      .set(
        lock
          ? { failedSignIns: 0, lockedUntil: new Date(now + settings.lockoutMs) }
          : { failedSignIns: failures },
      )
      .where(eq(webAccounts.id, account.id));
    if (lock) await audit(tx, { actor: 'web', action: 'account.locked', customerId: account.customerId });
  });
  return { status: 'bad' };
}
