/**
 * The consent's part in ingest (terms T4, T5, T8), kept out of ingest.ts: the choice of ticket a
 * plain yes or no answers, and the alert that something was redacted.
 */
import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/database.js';
import { messages, tickets } from '../../db/schema.js';
import { CREDENTIALS_PLACEHOLDER } from '../../templates/consent-messages.js';
import { alertStaff } from '../audit.js';
import type { InboundMessage, IngestOutcome } from '../channel.js';
import type { CoreContext } from '../core-context.js';
import type { ThreadMatch, TicketRow } from '../threading.js';
import { interpretConsentAnswer } from './answer-rule.js';
import { consentStateOfTicket } from './consent-store.js';
import { carriesCredentials, withoutCredentials } from './credential-handover.js';

/**
 * A plain yes or no in a chat with several open tickets answers the one ticket whose consent is
 * waiting for it (T4, T5), instead of asking "which ticket?"; the remote tool's credentials go to
 * the one ticket waiting for them (T8: a "which ticket?" would store them). Anything else keeps
 * the question. `secretText` is the message's words before redaction.
 */
export async function consentDecidesChoice(
  ctx: CoreContext,
  tx: Tx,
  message: InboundMessage,
  secretText: string,
  match: ThreadMatch,
): Promise<ThreadMatch> {
  if (!match.choices) return match;
  const plain = interpretConsentAnswer(message.newText) !== 'unclear';
  const waiting: TicketRow[] = [];
  for (const ticket of match.choices) {
    const state = await consentStateOfTicket(tx, ticket.id, ctx.now());
    if (plain ? state.phase !== 'none' : carriesCredentials(state, secretText)) waiting.push(ticket);
  }
  return waiting.length === 1 ? { ...match, ticket: waiting[0], choices: undefined } : match;
}

/** Tells the technicians that `count` secrets were taken out of the message (never which). */
export async function alertRedacted(tx: Tx, outcome: IngestOutcome, count: number): Promise<void> {
  const ticketId = 'ticketId' in outcome && outcome.ticketId ? BigInt(outcome.ticketId) : undefined;
  const where = 'ticketNumber' in outcome ? `Ticket #${outcome.ticketNumber}: ` : '';
  await alertStaff(tx, {
    kind: 'secret_redacted',
    ticketId,
    text: `${where}${count} dato/i riservato/i (password, carta, IBAN) tolto/i dal messaggio del cliente e sostituito/i da [redacted] / ${count} secret(s) redacted from the customer's message`,
    data: { messageId: outcome.messageId, count: count },
  });
}

/**
 * An edit of a message that carried credentials (a typo fixed in Telegram) carries them too (T8):
 * it is stored as the placeholder and the new words go to the technician, never to the store.
 * Returns the message to store (the edit itself when the original was an ordinary message).
 * `secretText` is the edit's words before redaction.
 */
export async function credentialsEdit(
  ctx: CoreContext,
  tx: Tx,
  edit: InboundMessage,
  secretText: string,
  originalId: bigint | undefined,
): Promise<InboundMessage> {
  if (originalId === undefined) return edit;
  const [original] = await tx.db
    .select({ newText: messages.newText, ticketId: messages.ticketId })
    .from(messages)
    .where(eq(messages.id, originalId));
  if (original?.newText !== CREDENTIALS_PLACEHOLDER) return edit;
  if (original.ticketId !== null) {
    const [ticket] = await tx.db.select().from(tickets).where(eq(tickets.id, original.ticketId));
    const state = ticket ? await consentStateOfTicket(tx, ticket.id, ctx.now()) : undefined;
    if (ticket && state?.request && state.phase !== 'none') {
      ctx.credentialHandOver?.handOver({
        ticketNumber: ticket.number,
        technician: state.request.technician,
        technicianRef: state.request.technicianRef ?? undefined,
        secret: secretText,
      });
    }
  }
  return withoutCredentials(edit);
}
