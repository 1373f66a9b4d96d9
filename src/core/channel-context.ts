import { and, eq } from 'drizzle-orm';
import { channelCheckpoints, rawInputs, tickets } from '../db/schema.js';
import { insertStoredChunks } from '../db/sql/insert-stored-chunks.js';
import { splitForStore } from '../db/stored-chunks.js';
import { alertStaff, audit } from './audit.js';
import type { ChannelContext } from './channel.js';
import { redactRawInput } from './consent/redact-inbound.js';
import type { CoreContext } from './core-context.js';
import { markIdentityUnreachable } from './delivery.js';
import { stripNul } from './errors.js';
import { ingest } from './ingest.js';

/** What the core offers running adapters (see ChannelContext). */
export function createChannelContext(ctx: CoreContext): ChannelContext {
  return {
    ingest: (message) => ingest(ctx, message),
    async recordFailedInput(failed) {
      // Kept raw, but never with a password or card number in it (T8).
      const input = { ...failed, raw: (await redactRawInput(failed.raw)).raw };
      const data = typeof input.raw.data === 'string' ? Buffer.from(input.raw.data) : input.raw.data;
      const { head, rest } = splitForStore(data);
      await ctx.database.transaction(async (tx) => {
        const [row] = await tx.db
          .insert(rawInputs)
          .values({
            channel: input.channel,
            externalId: input.externalId === undefined ? undefined : stripNul(input.externalId),
            contentType: input.raw.contentType,
            data: head,
            originalSize: input.raw.originalSize,
            error: stripNul(input.error).slice(0, 2000),
          })
          .returning({ id: rawInputs.id });
        await insertStoredChunks(tx.sql, 'raw_input', row!.id, rest);
        await alertStaff(tx, {
          kind: 'input_failed',
          text: `A ${input.channel} input could not be processed and was kept (raw input ${row!.id}): ${stripNul(input.error).slice(0, 300)}`,
          data: { rawInputId: row!.id.toString(), externalId: input.externalId },
        });
      });
    },
    async alertStaff(alert) {
      await ctx.database.transaction((tx) =>
        alertStaff(tx, { kind: alert.kind, text: stripNul(alert.text), data: alert.data }),
      );
    },
    async loadCheckpoint<T>(key: string) {
      const [row] = await ctx.database.db
        .select()
        .from(channelCheckpoints)
        .where(eq(channelCheckpoints.key, key));
      return row?.value as T | undefined;
    },
    async saveCheckpoint(key, value) {
      await ctx.database.db
        .insert(channelCheckpoints)
        .values({ key, value, updatedAt: ctx.now() })
        .onConflictDoUpdate({ target: channelCheckpoints.key, set: { value, updatedAt: ctx.now() } });
    },
    async markUnreachable(identity, reason) {
      await ctx.database.transaction((tx) => markIdentityUnreachable(tx, identity, reason));
    },
    async renameConversation(kind, from, to) {
      await ctx.database.transaction(async (tx) => {
        const moved = await tx.db
          .update(tickets)
          .set({ conversationId: to })
          .where(and(eq(tickets.originChannel, kind), eq(tickets.conversationId, from)))
          .returning({ id: tickets.id });
        await audit(tx, {
          actor: 'system',
          action: 'conversation.moved',
          data: { kind, from, to, tickets: moved.length },
        });
      });
    },
  };
}
