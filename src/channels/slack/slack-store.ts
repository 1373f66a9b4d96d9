import { AlreadyHandled } from '../../core/errors.js';
/**
 * The Slack channel's rows: handled-event keys (de-duplication across retries, restarts and
 * instances), ticket ↔ thread links, held relays and mirrored posts.
 */

import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db/database.js';
import { slackPosts, slackRelays, slackSeenEvents, slackThreads } from '../../db/schema.js';
import { settledSlackRelays } from '../../db/sql/settled-slack-relays.js';

/** Keys of one Slack delivery: its `event_id` and, for a message, its (channel, ts). */
export function eventKeys(input: {
  eventId?: string;
  channel?: string;
  ts?: string;
  kind?: string;
}): string[] {
  const keys: string[] = [];
  if (input.eventId) keys.push(`event:${input.eventId}`);
  if (input.channel && input.ts) keys.push(`${input.kind ?? 'msg'}:${input.channel}:${input.ts}`);
  return keys;
}

/**
 * Claims `keys` in the store: true when none was seen before (handle it), false when any was
 * (a retry, or another instance got it first). Run it in the transaction that stores the effect,
 * so a crash before the commit leaves the event to Slack's next retry.
 */
export async function claimEvent(tx: Tx, keys: string[]): Promise<boolean> {
  if (keys.length === 0) return true;
  const inserted = await tx.db
    .insert(slackSeenEvents)
    .values(keys.map((key) => ({ key })))
    .onConflictDoNothing()
    .returning({ key: slackSeenEvents.key });
  if (inserted.length === keys.length) return true;
  // Some key was known: undo the claim of the others too by failing the caller's transaction.
  throw new AlreadyHandled();
}

/** Runs `fn` once per Slack event across retries and instances; false when it was a duplicate. */
export async function onceForEvent(
  database: Database,
  keys: string[],
  fn: (tx: Tx) => Promise<void>,
): Promise<boolean> {
  try {
    await database.transaction(async (tx) => {
      await claimEvent(tx, keys);
      await fn(tx);
    });
    return true;
  } catch (error) {
    if (error instanceof AlreadyHandled) return false;
    throw error;
  }
}

/** Forgets handled-event keys older than `before` (Slack stops retrying after ~5 minutes). */
export async function pruneSeenEvents(database: Database, before: Date): Promise<void> {
  await database.db.delete(slackSeenEvents).where(lte(slackSeenEvents.createdAt, before));
}

export type ThreadRow = typeof slackThreads.$inferSelect;

export async function threadByTs(
  db: Tx['db'],
  channelId: string,
  threadTs: string,
): Promise<ThreadRow | undefined> {
  const [row] = await db
    .select()
    .from(slackThreads)
    .where(and(eq(slackThreads.channelId, channelId), eq(slackThreads.threadTs, threadTs)));
  return row;
}

export async function threadOfTicket(db: Tx['db'], ticketId: bigint): Promise<ThreadRow | undefined> {
  const [row] = await db.select().from(slackThreads).where(eq(slackThreads.ticketId, ticketId));
  return row;
}

export async function saveThread(
  db: Tx['db'],
  row: { ticketId: bigint; channelId: string; threadTs: string; cardState: string },
): Promise<void> {
  await db
    .insert(slackThreads)
    .values(row)
    .onConflictDoUpdate({
      target: slackThreads.ticketId,
      set: {
        channelId: row.channelId,
        threadTs: row.threadTs,
        cardState: row.cardState,
        updatedAt: sql`now()`,
      },
    });
}

export async function updateCardState(db: Tx['db'], ticketId: bigint, state: string): Promise<void> {
  await db
    .update(slackThreads)
    .set({ cardState: state, updatedAt: sql`now()` })
    .where(eq(slackThreads.ticketId, ticketId));
}

export type RelayRow = typeof slackRelays.$inferSelect;

export async function relayByTs(db: Tx['db'], channelId: string, ts: string): Promise<RelayRow | undefined> {
  const [row] = await db
    .select()
    .from(slackRelays)
    .where(and(eq(slackRelays.channelId, channelId), eq(slackRelays.ts, ts)));
  return row;
}

/** Held relays whose delay is over, oldest first. */
export async function dueRelays(db: Tx['db'], now: Date): Promise<RelayRow[]> {
  return db
    .select()
    .from(slackRelays)
    .where(and(eq(slackRelays.status, 'held'), lte(slackRelays.dueAt, now)))
    .orderBy(slackRelays.id)
    .limit(20);
}

/** Queued relays whose delivery is settled (sent or failed) and which have no receipt yet. */
export async function relaysAwaitingReceipt(
  database: Database,
): Promise<Array<{ relay: RelayRow; status: string; lastError: string | null }>> {
  const rows = await settledSlackRelays(database.sql);
  if (rows.length === 0) return [];
  const relays = await database.db
    .select()
    .from(slackRelays)
    .where(
      inArray(
        slackRelays.id,
        rows.map((row) => BigInt(row.id)),
      ),
    );
  return rows.map((row) => ({
    relay: relays.find((relay) => relay.id === BigInt(row.id))!,
    status: row.status,
    lastError: row.last_error,
  }));
}

/** Records that `messageId` is shown at `ts`; `withFiles`: its files are still to be uploaded. */
export async function savePost(
  db: Tx['db'],
  messageId: bigint,
  channelId: string,
  ts: string,
  withFiles = false,
): Promise<void> {
  await db
    .insert(slackPosts)
    .values({ messageId, channelId, ts, filesUploaded: withFiles ? 0 : null })
    .onConflictDoNothing();
}

export async function postOfMessage(db: Tx['db'], messageId: bigint) {
  const [row] = await db.select().from(slackPosts).where(eq(slackPosts.messageId, messageId));
  return row;
}
