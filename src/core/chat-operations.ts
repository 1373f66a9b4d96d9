import { randomBytes } from 'node:crypto';
import { and, count, desc, eq, gt, inArray, isNull } from 'drizzle-orm';
import { auditLog, customers, identities, linkCodes, messages, tickets } from '../db/schema.js';
import { isBlockedCustomer } from '../db/statuses.js';
import { linkByEmail } from '../templates/chat-messages.js';
import { toLocale } from '../templates/format.js';
import { audit } from './audit.js';
import type { ChannelName, IdentityKind, IngestOutcome } from './channel.js';
import type { CoreContext } from './core-context.js';
import { OPEN_STATUSES } from './lifecycle.js';
import { enqueueOutbound } from './outbound.js';
import { findSender, normaliseAddress } from './threading.js';
import { openTicket, reopenOrFollowUp } from './tickets.js';

const LINK_CODE_TTL_MS = 24 * 3600_000;

export interface ChatIdentity {
  kind: IdentityKind;
  address: string;
  displayName?: string;
}

/** A one-time code proving ownership of a new identity (single use, expires in 24 h). */
export async function createLinkCode(
  ctx: CoreContext,
  customerId: bigint,
  kind: IdentityKind,
): Promise<string> {
  const code = randomBytes(16).toString('base64url');
  await ctx.database.db.insert(linkCodes).values({
    code,
    customerId,
    kind,
    expiresAt: new Date(ctx.now().getTime() + LINK_CODE_TTL_MS),
  });
  return code;
}

export type RedeemResult =
  | { status: 'linked'; customerName: string; locale: 'it' | 'en' }
  | { status: 'invalid' | 'expired' | 'used' | 'identity_taken' };

/** Links `identity` to the customer who owns `code`; the code works once. */
export async function redeemLinkCode(
  ctx: CoreContext,
  code: string,
  identity: ChatIdentity,
): Promise<RedeemResult> {
  return ctx.database.transaction(async (tx) => {
    const [row] = await tx.db.select().from(linkCodes).where(eq(linkCodes.code, code)).for('update');
    if (!row || row.kind !== identity.kind) return { status: 'invalid' };
    if (row.usedAt) return { status: 'used' };
    if (row.expiresAt.getTime() < ctx.now().getTime()) return { status: 'expired' };
    const address = normaliseAddress(identity.kind, identity.address);
    const [existing] = await tx.db
      .select()
      .from(identities)
      .where(and(eq(identities.kind, identity.kind), eq(identities.address, address)));
    if (existing && existing.customerId !== row.customerId) return { status: 'identity_taken' };
    if (existing) {
      await tx.db
        .update(identities)
        .set({ verified: true, unreachableAt: null })
        .where(eq(identities.id, existing.id));
    } else {
      await tx.db.insert(identities).values({
        customerId: row.customerId,
        kind: identity.kind,
        address,
        displayName: identity.displayName,
        verified: true,
      });
    }
    await tx.db.update(linkCodes).set({ usedAt: ctx.now() }).where(eq(linkCodes.code, code));
    await audit(tx, {
      actor: `${identity.kind}:${address}`,
      action: 'identity.linked',
      customerId: row.customerId,
    });
    const [customer] = await tx.db.select().from(customers).where(eq(customers.id, row.customerId));
    return { status: 'linked', customerName: customer!.name, locale: toLocale(customer!.locale) };
  });
}

/** `/link` requests one chat account may make per hour, whatever the addresses they name. */
export const LINK_REQUESTS_PER_HOUR = 3;

/**
 * `/link address` from a chat: when the address belongs to a customer, a one-time link is mailed
 * to it. Every request counts toward the requester's {@link LINK_REQUESTS_PER_HOUR} (known address
 * or not, so the answer tells nothing about which addresses exist) and is in the audit log. The
 * mail is automatic but has its own budget (`purpose: 'link'`): a stranger asking for links in the
 * customer's name cannot use up the customer's acknowledgements.
 */
export async function requestLinkByEmail(
  ctx: CoreContext,
  email: string,
  identity: ChatIdentity,
  linkUrl: (code: string) => string,
): Promise<'requested' | 'rate_limited'> {
  const actor = `${identity.kind}:${identity.address}`;
  const since = new Date(ctx.now().getTime() - 3600_000);
  const outcome = await ctx.database.transaction(async (tx) => {
    const [recent] = await tx.db
      .select({ n: count() })
      .from(auditLog)
      .where(and(eq(auditLog.actor, actor), eq(auditLog.action, 'link.requested'), gt(auditLog.at, since)));
    if ((recent?.n ?? 0) >= LINK_REQUESTS_PER_HOUR) return 'rate_limited' as const;
    const owner = await findSender(tx, { kind: 'email', address: email });
    const found = owner && !isBlockedCustomer(owner.customer.status) ? owner : undefined;
    await tx.db.insert(auditLog).values({
      actor,
      action: 'link.requested',
      customerId: found?.customer.id,
      data: { addressKnown: found !== undefined },
      at: ctx.now(),
    });
    if (!found) return 'requested' as const;
    const code = randomBytes(16).toString('base64url');
    await tx.db.insert(linkCodes).values({
      code,
      customerId: found.customer.id,
      kind: identity.kind,
      expiresAt: new Date(ctx.now().getTime() + LINK_CODE_TTL_MS),
    });
    await enqueueOutbound(ctx, tx, {
      channel: 'email',
      recipient: { kind: 'email', address: found.identity.address },
      automatic: true,
      purpose: 'link',
      content: linkByEmail({ url: linkUrl(code), channel: identity.kind }, toLocale(found.customer.locale)),
    });
    return 'requested' as const;
  });
  ctx.jobs.wake();
  return outcome;
}

/** The customer behind a chat identity, if it is linked and verified. */
export async function customerOf(ctx: CoreContext, identity: ChatIdentity) {
  const found = await findSender({ db: ctx.database.db, sql: ctx.database.sql }, identity);
  return found ? { ...found.customer, locale: toLocale(found.customer.locale) } : undefined;
}

export async function openTicketsOf(ctx: CoreContext, identity: ChatIdentity) {
  const customer = await customerOf(ctx, identity);
  if (!customer) return undefined;
  return ctx.database.db
    .select({ number: tickets.number, subject: tickets.subject, status: tickets.status })
    .from(tickets)
    .where(and(eq(tickets.customerId, customer.id), inArray(tickets.status, [...OPEN_STATUSES])))
    .orderBy(desc(tickets.number))
    .limit(20);
}

export async function setCustomerLocale(ctx: CoreContext, identity: ChatIdentity, locale: 'it' | 'en') {
  const customer = await customerOf(ctx, identity);
  if (!customer) return false;
  await ctx.database.db.update(customers).set({ locale }).where(eq(customers.id, customer.id));
  return true;
}

/**
 * The customer picked a ticket for a message held while they had several open: attach it there.
 * Only their own tickets, only their own held messages.
 */
export async function resolveTicketChoice(
  ctx: CoreContext,
  channel: ChannelName,
  identity: ChatIdentity,
  ticketNumber: number,
): Promise<IngestOutcome | undefined> {
  const outcome = await ctx.database.transaction(async (tx) => {
    const sender = await findSender(tx, identity);
    if (!sender) return undefined;
    const [ticket] = await tx.db
      .select()
      .from(tickets)
      .where(and(eq(tickets.number, ticketNumber), eq(tickets.customerId, sender.customer.id)));
    if (!ticket) return undefined;
    const since = new Date(ctx.now().getTime() - 7 * 24 * 3600_000);
    const heldNow = and(
      eq(messages.channel, channel),
      eq(messages.customerId, sender.customer.id),
      eq(messages.disposition, 'awaiting_choice'),
      isNull(messages.ticketId),
      gt(messages.createdAt, since),
    );
    // Pressed twice: nothing is held any more, and nothing changes.
    const [anyHeld] = await tx.db
      .select({ id: messages.id })
      .from(messages)
      .where(heldNow)
      .limit(1)
      .for('update');
    if (!anyHeld) return undefined;
    // The button may be pressed long after it was shown: as a message would, reopen the ticket,
    // or (closed, or resolved too long ago) open a new one that links it.
    const actor = `${identity.kind}:${identity.address}`;
    const target = (await reopenOrFollowUp(ctx, tx, ticket, actor))
      ? await openTicket(ctx, tx, {
          customer: sender.customer,
          identity: sender.identity,
          subject: ticket.subject,
          channel,
          conversationId: ticket.conversationId ?? undefined,
          previousTicketId: ticket.id,
        })
      : ticket;
    const held = await tx.db
      .update(messages)
      .set({ ticketId: target.id, disposition: 'ticket' })
      .where(heldNow)
      .returning({ id: messages.id });
    return {
      status: 'threaded' as const,
      messageId: String(held.at(-1)!.id),
      ticketId: String(target.id),
      ticketNumber: target.number,
    };
  });
  ctx.jobs.wake();
  return outcome;
}
