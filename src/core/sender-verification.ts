import { and, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { tickets } from '../db/schema.js';
import { alertStaff } from './audit.js';
import type { InboundMessage, IngestOutcome } from './channel.js';
import type { CoreContext } from './core-context.js';
import { storeMessage } from './inbound-store.js';
import { verifyReplyToken } from './reply-token.js';
import { findSender } from './threading.js';

/** Ticket numbers named by valid reply tokens of ours in the message. */
export function replyTokenNumbers(message: InboundMessage, secret: string): number[] {
  return (message.thread.replyTokens ?? [])
    .map((token) => verifyReplyToken(secret, token))
    .filter((n): n is number => n !== undefined);
}

/**
 * A mail whose sender failed DMARC at our trusted provider: the From address is forged or its
 * domain is broken. It opens nothing, joins nothing and is answered by nothing (a forged sender
 * must not reach into a customer's ticket, nor make us mail the forged address): it is kept as
 * `suspicious` and the technicians are alerted. Our reply token is proof enough: a mail carrying
 * a valid token for a ticket of the sender's customer is handled as usual (returns undefined).
 */
export async function keepSuspiciousUnlessProven(
  ctx: CoreContext,
  tx: Tx,
  message: InboundMessage,
): Promise<IngestOutcome | undefined> {
  const claimed = await findSender(tx, message.sender);
  const numbers = replyTokenNumbers(message, ctx.replyTokenSecret);
  if (claimed && numbers.length > 0) {
    const [proven] = await tx.db
      .select({ id: tickets.id })
      .from(tickets)
      .where(and(inArray(tickets.number, numbers), eq(tickets.customerId, claimed.customer.id)))
      .limit(1);
    if (proven) return undefined;
  }
  const reason = 'sender failed DMARC at the mailbox provider';
  const id = await storeMessage(tx, message, { disposition: 'suspicious', reason });
  await alertStaff(tx, {
    kind: 'suspicious_mail',
    text: `Mail claiming to be from ${message.sender.address || '(no sender)'} failed DMARC and was kept as suspicious: it opened no ticket and got no answer${
      claimed ? ` (the address belongs to customer ${claimed.customer.name})` : ''
    }`,
    data: { messageId: String(id), claimedCustomerId: claimed?.customer.id.toString() },
  });
  return { status: 'unmatched', messageId: String(id), reason };
}
