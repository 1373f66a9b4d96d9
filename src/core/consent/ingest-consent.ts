/**
 * The consent's part in ingest (terms T4, T5, T8), kept out of ingest.ts: the choice of ticket a
 * plain yes or no answers, and the alert that something was redacted.
 */
import type { Tx } from '../../db/database.js';
import { alertStaff } from '../audit.js';
import type { InboundMessage, IngestOutcome } from '../channel.js';
import type { CoreContext } from '../core-context.js';
import type { ThreadMatch, TicketRow } from '../threading.js';
import { interpretConsentAnswer } from './answer-rule.js';
import { consentStateOfTicket } from './consent-store.js';

/**
 * A plain yes or no in a chat with several open tickets answers the one ticket whose consent is
 * waiting for it (T4, T5), instead of asking "which ticket?". Anything else keeps the question.
 */
export async function consentDecidesChoice(
  ctx: CoreContext,
  tx: Tx,
  message: InboundMessage,
  match: ThreadMatch,
): Promise<ThreadMatch> {
  if (!match.choices || interpretConsentAnswer(message.newText) === 'unclear') return match;
  const waiting: TicketRow[] = [];
  for (const ticket of match.choices) {
    const state = await consentStateOfTicket(tx, ticket.id, ctx.now());
    if (state.phase !== 'none') waiting.push(ticket);
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
