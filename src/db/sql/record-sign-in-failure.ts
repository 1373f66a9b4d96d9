import type { SqlClient } from '../database.js';

/** The tables whose rows keep a sign-in lock-out (`failed_sign_ins`, `locked_until`). */
export type LockoutTableName = 'web_accounts' | 'staff_accounts';

/**
 * One more failed sign-in of account `id`: at `attempts` failures in a row the count goes back to 0
 * and the account is locked until `lockedUntil`. One statement, so failures sent at the same time
 * each count and the one that reaches `attempts` locks. True when this failure locked the account.
 */
export async function recordSignInFailure(
  sql: SqlClient,
  params: { table: LockoutTableName; id: bigint; attempts: number; lockedUntil: Date },
): Promise<boolean> {
  // The table name comes from the closed union above, never from input.
  const { rows } = await sql.query<{ locked: boolean }>(
    `update ${params.table} set
       failed_sign_ins = case when failed_sign_ins + 1 >= $2 then 0 else failed_sign_ins + 1 end,
       locked_until = case when failed_sign_ins + 1 >= $2 then $3::timestamptz else locked_until end
     where id = $1
     returning failed_sign_ins = 0 as locked`,
    [params.id.toString(), params.attempts, params.lockedUntil],
  );
  return rows[0]?.locked === true;
}

/** A complete sign-in: the failure count back to zero, no lock. */
export async function resetSignInFailures(
  sql: SqlClient,
  params: { table: LockoutTableName; id: bigint },
): Promise<void> {
  await sql.query(`update ${params.table} set failed_sign_ins = 0, locked_until = null where id = $1`, [
    params.id.toString(),
  ]);
}
