import { and, eq, isNull } from 'drizzle-orm';
import { staffAccounts } from '../db/schema.js';
import type { CoreContext } from './core-context.js';

/**
 * Who the staff are, for the channels (#25): a Slack user is a technician when an enabled staff
 * account carries its Slack user id; the `SLACK_TECHNICIANS` list stays as a fallback.
 */

/** The enabled staff account with this Slack user id (its id and name), or undefined. */
export async function staffOfSlackUser(
  ctx: Pick<CoreContext, 'database'>,
  slackUserId: string,
): Promise<{ id: bigint; name: string } | undefined> {
  const [row] = await ctx.database.db
    .select({ id: staffAccounts.id, name: staffAccounts.name })
    .from(staffAccounts)
    .where(and(eq(staffAccounts.slackUserId, slackUserId), isNull(staffAccounts.disabledAt)));
  return row;
}

/**
 * Whether `slackUserId` may act on tickets from Slack: an enabled staff account has it, or it is
 * in `fallback` (SLACK_TECHNICIANS). A disabled account's id is refused unless the list names it.
 */
export async function isTechnicianSlackUser(
  ctx: Pick<CoreContext, 'database'>,
  slackUserId: string,
  fallback: readonly string[] = [],
): Promise<boolean> {
  if (await staffOfSlackUser(ctx, slackUserId)) return true;
  return fallback.includes(slackUserId);
}
