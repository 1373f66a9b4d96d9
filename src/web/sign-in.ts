import { eq } from 'drizzle-orm';
import { audit } from '../core/audit.js';
import type { CoreContext } from '../core/core-context.js';
import { webAccounts } from '../db/schema.js';
import type { WebAccountSettings } from './accounts.js';
import { SignInLockout } from './sign-in-lockout.js';

export type SignInResult =
  | { status: 'ok'; accountId: bigint; customerId: bigint }
  | { status: 'bad' }
  | { status: 'locked'; until: Date };

type WebAccountRow = typeof webAccounts.$inferSelect;

/** The portal's lock-out (sign-in-lockout.ts); a lock is audit-logged on the customer. */
const lockout = new SignInLockout<WebAccountRow>({
  table: 'web_accounts',
  onLocked: (tx, account) =>
    audit(tx, { actor: 'web', action: 'account.locked', customerId: account.customerId }),
});

/**
 * A customer's portal sign-in. After `signInAttempts` failures in a row the account is locked for
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
  const [account] = await ctx.database.db.select().from(webAccounts).where(eq(webAccounts.email, email));
  const result = await lockout.checkPassword(ctx, settings, email, account, password);
  if (result.status !== 'ok') return result;
  await lockout.recordSuccess(ctx, result.account.id);
  return { status: 'ok', accountId: result.account.id, customerId: result.account.customerId };
}
