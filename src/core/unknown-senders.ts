import { and, count, eq, gt } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { deliveries } from '../db/schema.js';
import { unknownSender } from '../templates/customer-messages.js';
import { toLocale } from '../templates/format.js';
import { alertStaff } from './audit.js';
import type { InboundMessage, IngestOutcome } from './channel.js';
import type { CoreContext } from './core-context.js';
import { storeMessage } from './inbound-store.js';
import { enqueueOutbound } from './outbound.js';

const UNKNOWN_SENDER_REPLY_INTERVAL_MS = 24 * 3600_000;

/**
 * Whether this hour's email answers to unknown senders, all addresses together, reached
 * `unknownSenderRepliesPerHour`. Forged spam names a new sender each time: the per-address limit
 * alone would have us mail every forged address.
 */
async function globalCapReached(ctx: CoreContext, tx: Tx): Promise<boolean> {
  const since = new Date(ctx.now().getTime() - 3600_000);
  const [row] = await tx.db
    .select({ n: count() })
    .from(deliveries)
    .where(
      and(
        eq(deliveries.purpose, 'unknown_sender'),
        eq(deliveries.channel, 'email'),
        gt(deliveries.createdAt, since),
      ),
    );
  return (row?.n ?? 0) >= ctx.settings.unknownSenderRepliesPerHour;
}

/**
 * A message from an unknown (or suspended) sender: kept as unmatched, never dropped, answered at
 * most once per address per day with how to register (email: and at most
 * `unknownSenderRepliesPerHour` times an hour in all), and shown to technicians.
 */
export async function handleUnknownSender(
  ctx: CoreContext,
  tx: Tx,
  message: InboundMessage,
  reason: string,
): Promise<IngestOutcome> {
  const id = await storeMessage(tx, message, {
    disposition: message.automated ? 'automated' : 'unmatched',
    reason: message.automated ? `${message.automated.kind}: ${message.automated.reason}` : reason,
  });
  if (message.automated) return { status: 'automated', messageId: String(id) };
  const since = new Date(ctx.now().getTime() - UNKNOWN_SENDER_REPLY_INTERVAL_MS);
  const address = message.sender.address;
  const [recent] = await tx.db
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(
      and(
        eq(deliveries.recipientKind, message.sender.kind),
        eq(deliveries.recipientAddress, address),
        eq(deliveries.automatic, true),
        gt(deliveries.createdAt, since),
      ),
    )
    .limit(1);
  const answer = !recent && !message.noAutomaticAnswer;
  const capped = answer && message.channel === 'email' && (await globalCapReached(ctx, tx));
  if (answer && !capped) {
    await enqueueOutbound(ctx, tx, {
      channel: message.channel,
      recipient: { kind: message.sender.kind, address, displayName: message.sender.displayName },
      automatic: true,
      purpose: 'unknown_sender',
      content: unknownSender(
        {
          registerUrl: `${ctx.settings.publicUrl}/register`,
          companyName: ctx.settings.companyName,
          canLink: message.channel !== 'email',
          linkCommand: message.channel === 'slack' ? 'link' : '/link',
        },
        toLocale(message.sender.language ?? ctx.settings.defaultLocale),
      ),
      replyToExternalId: message.externalId,
      conversationId: message.thread.conversationId,
    });
  }
  await alertStaff(tx, {
    kind: 'unmatched_message',
    text: `Message from ${message.sender.kind} ${address} kept as unmatched (${reason})${
      capped ? '; not answered: the hourly cap on answers to unknown senders is reached' : ''
    }`,
    data: { messageId: String(id) },
  });
  return { status: 'unmatched', messageId: String(id), reason };
}
