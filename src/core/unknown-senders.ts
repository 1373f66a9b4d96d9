import { and, eq, gt } from 'drizzle-orm';
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
 * A message from an unknown (or suspended) sender: kept as unmatched, never dropped, answered at
 * most once per address per day with how to register, and shown to technicians.
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
  if (!recent) {
    await enqueueOutbound(ctx, tx, {
      channel: message.channel,
      recipient: { kind: message.sender.kind, address, displayName: message.sender.displayName },
      automatic: true,
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
    text: `Message from ${message.sender.kind} ${address} kept as unmatched (${reason})`,
    data: { messageId: String(id) },
  });
  return { status: 'unmatched', messageId: String(id), reason };
}
