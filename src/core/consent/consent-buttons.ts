/**
 * A customer pressed a consent button (Telegram inline keyboard, Slack DM): SÌ/YES, NO, or STOP
 * during a session. Same rules as a written answer (consent-answers.ts); the evidence keeps the
 * button and the identity that pressed it. Only an identity of the request's customer counts.
 */

import { eq } from 'drizzle-orm';
import { customers } from '../../db/schema.js';
import { isBlockedCustomer } from '../../db/statuses.js';
import { type Locale, toLocale } from '../../templates/format.js';
import { audit } from '../audit.js';
import type { SenderIdentity } from '../channel.js';
import type { CoreContext, RemoteSessionEnded } from '../core-context.js';
import { findSender } from '../threading.js';
import { lockTicket } from '../tickets.js';
import { recordAnswer, revoke } from './consent-answers.js';
import { sessionEnded } from './consent-sessions.js';
import { consentStateOfTicket, findRequest } from './consent-store.js';

export type ButtonOutcome = 'granted' | 'refused' | 'revoked' | 'stale' | 'not_allowed';

const LABELS = { yes: 'SÌ / YES', no: 'NO', stop: 'STOP' } as const;

/**
 * Applies a consent button press. `stale`: the request was answered, expired or replaced;
 * `not_allowed`: the presser is not an identity of the request's customer (audited).
 */
export async function answerConsentButton(
  ctx: CoreContext,
  input: { requestId: string; answer: 'yes' | 'no' | 'stop'; sender: SenderIdentity },
): Promise<{ outcome: ButtonOutcome; locale: Locale }> {
  let ended: RemoteSessionEnded | undefined;
  const result = await ctx.database.transaction(async (tx) => {
    const request = await findRequest(tx, BigInt(input.requestId));
    const sender = await findSender(tx, input.sender);
    const locale = toLocale(sender?.customer.locale ?? ctx.settings.defaultLocale);
    if (!request) return { outcome: 'stale' as const, locale };
    const who = `${input.sender.kind}:${input.sender.address}`;
    if (!sender || sender.customer.id !== request.customerId || isBlockedCustomer(sender.customer.status)) {
      await audit(tx, {
        actor: who,
        action: 'consent.not_allowed',
        ticketId: request.ticketId,
        data: { requestId: input.requestId, answer: input.answer },
      });
      return { outcome: 'not_allowed' as const, locale };
    }
    const ticket = await lockTicket(tx, request.ticketId);
    const [customer] = await tx.db.select().from(customers).where(eq(customers.id, ticket.customerId));
    const answerLocale = toLocale(customer?.locale);
    const state = await consentStateOfTicket(tx, ticket.id, ctx.now());
    if (state.request?.id !== request.id || state.phase === 'none') {
      return { outcome: 'stale' as const, locale: answerLocale };
    }
    const fields = { identity: who, answerText: `[${LABELS[input.answer]}]`, answerVia: 'button' as const };
    if (state.phase === 'pending') {
      if (input.answer === 'stop') return { outcome: 'stale' as const, locale: answerLocale };
      const answer = input.answer === 'yes' ? 'yes' : 'no';
      await recordAnswer(ctx, tx, ticket, state, answer, fields);
      return {
        outcome: answer === 'yes' ? ('granted' as const) : ('refused' as const),
        locale: answerLocale,
      };
    }
    if (input.answer === 'yes') return { outcome: 'stale' as const, locale: answerLocale };
    ended = await revoke(ctx, tx, ticket, state, fields);
    return { outcome: 'revoked' as const, locale: answerLocale };
  });
  ctx.jobs.wake();
  if (ended) sessionEnded(ctx, ended);
  return result;
}

/** The short answer shown on the pressed button (Telegram's toast, Slack's ephemeral). */
export function buttonAnswerText(outcome: ButtonOutcome, locale: Locale): string {
  const texts: Record<ButtonOutcome, [string, string]> = {
    granted: ['Autorizzazione registrata.', 'Authorisation recorded.'],
    refused: ['Rifiuto registrato.', 'Refusal recorded.'],
    revoked: ['Collegamento interrotto.', 'Connection stopped.'],
    stale: ['Questa richiesta non è più attiva.', 'This request is no longer active.'],
    not_allowed: ['Solo il cliente del ticket può rispondere.', "Only the ticket's customer can answer."],
  };
  return texts[outcome][locale === 'en' ? 1 : 0];
}
