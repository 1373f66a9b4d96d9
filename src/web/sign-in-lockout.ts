import type { CoreContext } from '../core/core-context.js';
import type { Tx } from '../db/database.js';
import {
  type LockoutTableName,
  recordSignInFailure,
  resetSignInFailures,
} from '../db/sql/record-sign-in-failure.js';
import type { WebAccountSettings } from './accounts.js';
import { decoyHash, verifyPassword } from './passwords.js';

/**
 * The sign-in lock-out of the customer portal and of the staff dashboard (one rule for both):
 * after `signInAttempts` failures in a row an account is locked for `lockoutMs`, and meanwhile
 * even the right password is refused. Addresses without a usable account lock out the same way
 * (counted in memory), and every answer — unknown, locked, wrong, right — checks exactly one
 * password hash (the decoy for an unknown address), so neither the answer nor its time tells
 * which addresses have an account. Why: docs/web-portal.md, "Passwords" and "Lock-out".
 */

/** What the lock-out reads of an account row (`web_accounts` or `staff_accounts`). */
export interface LockableAccount {
  id: bigint;
  passwordHash: string | null;
  lockedUntil: Date | null;
}

export type PasswordCheck<A> =
  | { status: 'ok'; account: A }
  | { status: 'bad' }
  | { status: 'locked'; until: Date };

type Clocked = Pick<CoreContext, 'database' | 'now'>;

/** Addresses without an account kept in memory at most; past it the map starts again. */
const MAX_UNKNOWN = 10_000;

export class SignInLockout<A extends LockableAccount> {
  /** Failures of addresses without a usable account, by address: they lock out like real ones. */
  private readonly unknown = new Map<string, { count: number; lockedUntil?: number }>();

  constructor(
    private readonly options: {
      table: LockoutTableName;
      /** Records the lock (the audit log), in the transaction that sets it. */
      onLocked: (tx: Tx, account: A) => Promise<void>;
      /** The hash check; a test counts the calls. */
      verify?: (password: string, hash: string) => Promise<boolean>;
    },
  ) {}

  private verify(password: string, hash: string): Promise<boolean> {
    return (this.options.verify ?? verifyPassword)(password, hash);
  }

  /** Whether `account` is locked at `now` (ms since the epoch). */
  isLocked(account: Pick<A, 'lockedUntil'>, now: number): boolean {
    return account.lockedUntil !== null && account.lockedUntil.getTime() > now;
  }

  /**
   * Checks `password` for `login` (already normalised). `account` is undefined when the address
   * has no account that may sign in (none, no password yet, disabled): that answers as a wrong
   * password would, and locks out likewise. A wrong password counts a failure; the right one
   * does not reset the count (see {@link recordSuccess}: a second factor may still follow).
   */
  async checkPassword(
    ctx: Clocked,
    settings: WebAccountSettings,
    login: string,
    account: A | undefined,
    password: string,
  ): Promise<PasswordCheck<A>> {
    const now = ctx.now().getTime();
    if (!account?.passwordHash) {
      await this.verify(password, await decoyHash());
      return this.unknownFailure(login, settings, now);
    }
    if (this.isLocked(account, now)) {
      // As costly as the other answers; the result is not used.
      await this.verify(password, account.passwordHash);
      return { status: 'locked', until: account.lockedUntil! };
    }
    if (await this.verify(password, account.passwordHash)) return { status: 'ok', account };
    await this.recordFailure(ctx, settings, account);
    return { status: 'bad' };
  }

  private unknownFailure(login: string, settings: WebAccountSettings, now: number): PasswordCheck<A> {
    if (this.unknown.size > MAX_UNKNOWN) this.unknown.clear();
    const entry = this.unknown.get(login) ?? { count: 0 };
    if (entry.lockedUntil && entry.lockedUntil > now)
      return { status: 'locked', until: new Date(entry.lockedUntil) };
    entry.count += 1;
    if (entry.count >= settings.signInAttempts) {
      entry.count = 0;
      entry.lockedUntil = now + settings.lockoutMs;
    }
    this.unknown.set(login, entry);
    return { status: 'bad' };
  }

  /** One more failure (a wrong password or second-factor code); locks at `signInAttempts` in a row. */
  async recordFailure(ctx: Clocked, settings: WebAccountSettings, account: A): Promise<void> {
    const lockedUntil = new Date(ctx.now().getTime() + settings.lockoutMs);
    await ctx.database.transaction(async (tx) => {
      const locked = await recordSignInFailure(tx.sql, {
        table: this.options.table,
        id: account.id,
        attempts: settings.signInAttempts,
        lockedUntil,
      });
      if (locked) await this.options.onLocked(tx, account);
    });
  }

  /** A complete sign-in: the failure count back to zero. */
  async recordSuccess(ctx: Clocked, accountId: bigint): Promise<void> {
    await resetSignInFailures(ctx.database.sql, { table: this.options.table, id: accountId });
  }
}
