import type { Tx } from '../db/database.js';
import { type ClaimedTimer, claimTimer } from '../db/sql/claim-timer.js';
import { dueTimerKeys } from '../db/sql/due-timer-keys.js';
import { markTimerFired } from '../db/sql/mark-timer-fired.js';
import { upsertTimer } from '../db/sql/upsert-timer.js';
import type { CoreContext } from './core-context.js';

/**
 * Timers (#23): reminders and deadlines that must survive restarts and fire once. Each is a row
 * of `timers` keyed by what it is about (`first_contact.breach:42`); a pg-boss job wakes it at
 * its time, and a periodic sweep ({@link fireDueTimers}) fires any whose job was lost or ran early.
 * Firing claims the row (`FOR UPDATE SKIP LOCKED`) and records `fired_at` in the transaction that
 * does the work, so two workers, a retried job or a restart never do it twice.
 */

export type TimerKind =
  | 'first_contact.reminder_day'
  | 'first_contact.reminder_hours'
  | 'first_contact.breach'
  | 'activation.reminder'
  | 'activation.deadline'
  | 'appointment.reminder_day'
  | 'appointment.reminder_hour';

/** What firing did: an outcome word to record, or a later time to wait for (outside hours). */
export type TimerResult = { outcome: string } | { postponeTo: Date };

export type TimerHandler = (ctx: CoreContext, tx: Tx, timer: ClaimedTimer, now: Date) => Promise<TimerResult>;

export type TimerHandlers = Record<TimerKind, TimerHandler>;

/** The key of a timer about a ticket or a customer. */
export function timerKey(kind: TimerKind, subjectId: bigint): string {
  return `${kind}:${subjectId}`;
}

/**
 * Adds the timer, or moves it to `dueAt` (a moved reminder fires again; a recorded breach stays),
 * and makes its job run then. Inside the change's transaction.
 */
export async function scheduleTimer(
  ctx: CoreContext,
  tx: Tx,
  timer: { kind: TimerKind; ticketId?: bigint; customerId?: bigint; dueAt: Date },
): Promise<void> {
  const subject = timer.ticketId ?? timer.customerId;
  if (subject === undefined) throw new Error(`timer ${timer.kind} has no ticket or customer`);
  const key = timerKey(timer.kind, subject);
  const { waiting } = await upsertTimer(tx.sql, {
    key,
    kind: timer.kind,
    ticketId: timer.ticketId ?? null,
    customerId: timer.customerId ?? null,
    dueAt: timer.dueAt,
  });
  if (waiting) await ctx.jobs.scheduleTimerJob(tx, key, timer.dueAt);
}

/**
 * Fires the timer `key` if it is due at the context's clock and has not fired; returns what it did,
 * or undefined when there was nothing to do (not due, already fired, or another worker has it).
 */
export async function fireTimer(
  ctx: CoreContext,
  key: string,
  handlers: TimerHandlers,
): Promise<string | undefined> {
  const result = await ctx.database.transaction(async (tx) => {
    const now = ctx.now();
    const timer = await claimTimer(tx.sql, key, now);
    if (!timer) return undefined;
    const handler = handlers[timer.kind as TimerKind];
    const done = handler ? await handler(ctx, tx, timer, now) : { outcome: 'unknown_kind' };
    if ('postponeTo' in done) {
      await tx.sql.query('update timers set due_at = $2 where key = $1', [key, done.postponeTo]);
      await ctx.jobs.scheduleTimerJob(tx, key, done.postponeTo);
      return `postponed to ${done.postponeTo.toISOString()}`;
    }
    await markTimerFired(tx.sql, key, now, done.outcome);
    return done.outcome;
  });
  if (result?.startsWith('postponed')) ctx.jobs.wake();
  return result;
}

/** Fires every timer due at the context's clock (oldest first, at most `limit`); returns how many did something. */
export async function fireDueTimers(ctx: CoreContext, handlers: TimerHandlers, limit = 100): Promise<number> {
  const keys = await dueTimerKeys(ctx.database.sql, ctx.now(), limit);
  let fired = 0;
  for (const key of keys) if ((await fireTimer(ctx, key, handlers)) !== undefined) fired++;
  return fired;
}
