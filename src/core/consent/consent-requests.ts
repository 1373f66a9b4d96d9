/**
 * The technician's side of remote-access consent (terms T3, T4, T5, T7): ask, expire, start and
 * end a session. Every step appends evidence rows (`consent-store.ts`) and queues what the
 * customer reads in the same transaction.
 */
import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/database.js';
import { customers } from '../../db/schema.js';
import { CONSENT_REQUEST_VERSION, consentNotice, consentRequest } from '../../templates/consent-messages.js';
import { toLocale } from '../../templates/format.js';
import { alertStaff, audit } from '../audit.js';
import type { ChannelName, IdentityKind } from '../channel.js';
import type { CoreContext } from '../core-context.js';
import { ConsentStateError } from '../errors.js';
import { enqueueOutbound } from '../outbound.js';
import type { TicketRow } from '../threading.js';
import { getTicketByNumber, lockTicket, ticketRecipient } from '../tickets.js';
import { CONSENT_BUTTONS } from './answer-rule.js';
import {
  appendConsent,
  type ConsentRow,
  consentStateOfTicket,
  findRequest,
  stateOfRequest,
} from './consent-store.js';

/** pg-boss queue of consent expiry timers (`{ requestId }`, due at the request's expiry). */
export const CONSENT_EXPIRY_QUEUE = 'consent-expiry';

/**
 * Queues a consent notice (granted, refused, reminder…) to the ticket's customer in `tx`.
 * Buttons: chat channels only (email ignores them).
 */
export async function notifyCustomer(
  ctx: CoreContext,
  tx: Tx,
  ticket: TicketRow,
  kind: Parameters<typeof consentNotice>[0],
  buttons?: Array<Array<{ label: string; data: string }>>,
): Promise<void> {
  const identity = await ticketRecipient(tx, ticket);
  if (!identity) return;
  const [customer] = await tx.db.select().from(customers).where(eq(customers.id, ticket.customerId));
  const content = consentNotice(
    kind,
    { ticketNumber: ticket.number, subject: ticket.subject, toolName: ctx.settings.remoteToolName },
    toLocale(customer?.locale),
  );
  await enqueueOutbound(ctx, tx, {
    ticket,
    channel: ticket.originChannel as ChannelName,
    recipient: { kind: identity.kind as IdentityKind, address: identity.address },
    automatic: false,
    content: { ...content, buttons },
  });
}

/** Tells the technicians (the ticket's Slack thread when Slack is on; a staff alert always). */
export async function tellTechnician(
  tx: Tx,
  ticket: TicketRow,
  kind: string,
  text: string,
  technicianRef?: string | null,
): Promise<void> {
  // `mention`: the Slack mirror notifies that technician in the thread.
  const mention = technicianRef?.startsWith('slack:') ? technicianRef.slice('slack:'.length) : undefined;
  await alertStaff(tx, {
    kind,
    ticketId: ticket.id,
    text: `Ticket #${ticket.number}: ${text}`,
    data: mention ? { mention } : undefined,
  });
}

/**
 * A technician asks the ticket's customer for remote-access consent, in the customer's channel
 * and language (template {@link CONSENT_REQUEST_VERSION}), with SÌ/NO buttons on chat channels.
 * The request expires after `consentTtlMs`. Throws NotFoundError (no ticket) and
 * ConsentStateError (a request pending or a session running, no identity to ask, the customer
 * unreachable: see {@link assertReachable}).
 */
export async function requestConsent(
  ctx: CoreContext,
  input: { ticketNumber: number; technician: string; actor: string; technicianRef?: string },
): Promise<{ request: ConsentRow; deliveryId: bigint }> {
  const result = await ctx.database.transaction(async (tx) => {
    const now = ctx.now();
    const ticket = await getTicketByNumber(tx, input.ticketNumber, { forUpdate: true });
    const state = await consentStateOfTicket(tx, ticket.id, now);
    if (state.overdue && state.request) await expireInTransaction(ctx, tx, ticket, state.request);
    if (state.phase !== 'none') {
      throw new ConsentStateError(ticket.number, `a consent is already ${state.phase}`, state.phase);
    }
    const identity = await ticketRecipient(tx, ticket);
    if (!identity) throw new ConsentStateError(ticket.number, 'the customer has no identity to ask', 'none');
    assertReachable(ctx, ticket, identity.kind);
    const [customer] = await tx.db.select().from(customers).where(eq(customers.id, ticket.customerId));
    const ttlMinutes = Math.round(ctx.settings.consentTtlMs / 60_000);
    const content = consentRequest(
      {
        ticketNumber: ticket.number,
        subject: ticket.subject,
        technician: input.technician,
        toolName: ctx.settings.remoteToolName,
        toolUrl: ctx.settings.remoteToolUrl,
        companyName: ctx.settings.companyName,
        ttlMinutes,
      },
      toLocale(customer?.locale),
    );
    const expiresAt = new Date(now.getTime() + ctx.settings.consentTtlMs);
    const request = await appendConsent(tx, {
      event: 'requested',
      ticketId: ticket.id,
      customerId: ticket.customerId,
      technician: input.technician,
      technicianRef: input.technicianRef ?? null,
      channel: ticket.originChannel,
      identity: `${identity.kind}:${identity.address}`,
      templateVersion: CONSENT_REQUEST_VERSION,
      requestText: content.text,
      termsVersion: customer?.acceptedTermsVersion ?? null,
      quickAccess: customer?.quickAccess ?? false,
      expiresAt,
      at: now,
    });
    const id = request.id.toString();
    const queued = await enqueueOutbound(ctx, tx, {
      ticket,
      channel: ticket.originChannel as ChannelName,
      recipient: { kind: identity.kind as IdentityKind, address: identity.address },
      automatic: false,
      author: input.technician,
      content: {
        ...content,
        buttons: [
          [
            { label: 'SÌ / YES', data: CONSENT_BUTTONS.yes(id) },
            { label: 'NO', data: CONSENT_BUTTONS.no(id) },
          ],
        ],
      },
    });
    await audit(tx, {
      actor: input.actor,
      action: 'consent.requested',
      ticketId: ticket.id,
      customerId: ticket.customerId,
      data: { requestId: id, templateVersion: CONSENT_REQUEST_VERSION },
    });
    await ctx.jobs.enqueueTimer?.(tx, CONSENT_EXPIRY_QUEUE, { requestId: id }, expiresAt);
    return { request, deliveryId: queued.deliveryId };
  });
  ctx.jobs.wake();
  return result;
}

/**
 * A request the customer cannot receive now would only expire unseen: refused at once instead
 * (ConsentStateError, HTTP 409; Slack shows the reason). Unreachable: the ticket's channel has no
 * running adapter, or the customer has no identity on that channel.
 */
function assertReachable(ctx: CoreContext, ticket: TicketRow, identityKind: string): void {
  const channel = ticket.originChannel;
  if (identityKind !== channel) {
    throw new ConsentStateError(
      ticket.number,
      `il cliente non ha un'identità sul canale ${channel}: non può ricevere la richiesta / the customer has no ${channel} identity to receive the request`,
      'unreachable',
    );
  }
  if (ctx.channelRunning && !ctx.channelRunning(channel)) {
    throw new ConsentStateError(
      ticket.number,
      `il canale ${channel} del cliente non è attivo: la richiesta non gli arriverebbe / the customer's ${channel} channel is not running, the request would not reach them`,
      'unreachable',
    );
  }
}

async function expireInTransaction(ctx: CoreContext, tx: Tx, ticket: TicketRow, request: ConsentRow) {
  await appendConsent(tx, {
    ...carried(request),
    event: 'expired',
    requestId: request.id,
    at: ctx.now(),
  });
  await tellTechnician(
    tx,
    ticket,
    'consent_expired',
    `la richiesta di consenso non ha avuto risposta ed è scaduta / the consent request expired unanswered`,
    request.technicianRef,
  );
  await notifyCustomer(ctx, tx, ticket, 'expired');
}

/** The columns every event repeats from its request (who, where, terms at that moment). */
export function carried(request: ConsentRow) {
  return {
    ticketId: request.ticketId,
    customerId: request.customerId,
    technician: request.technician,
    technicianRef: request.technicianRef,
    channel: request.channel,
    termsVersion: request.termsVersion,
    quickAccess: request.quickAccess,
  };
}

/**
 * The expiry timer of a request fired: an unanswered request becomes `expired`, the technician
 * and the customer are told. Anything else (answered, expired already) is left alone.
 */
export async function expireConsent(ctx: CoreContext, requestId: bigint): Promise<boolean> {
  const expired = await ctx.database.transaction(async (tx) => {
    const request = await findRequest(tx, requestId);
    if (!request) return false;
    const ticket = await lockTicket(tx, request.ticketId);
    const state = await stateOfRequest(tx, request, ctx.now());
    if (state.phase === 'pending' && request.expiresAt) {
      // The timer ran before the app's clock reached the expiry (clock skew): wait for it again.
      await ctx.jobs.enqueueTimer?.(
        tx,
        CONSENT_EXPIRY_QUEUE,
        { requestId: request.id.toString() },
        request.expiresAt,
      );
      return false;
    }
    // Answered (granted, refused) or already expired: nothing to do.
    if (!state.overdue) return false;
    await expireInTransaction(ctx, tx, ticket, request);
    return true;
  });
  if (expired) ctx.jobs.wake();
  return expired;
}
