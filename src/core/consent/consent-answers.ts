/**
 * The customer's side of remote-access consent (terms T4, T5, T7): a message on a ticket whose
 * consent is pending, awaiting credentials or running is interpreted here, in the ingest
 * transaction, before normal handling. Only the ticket's customer can answer (threading already
 * attaches nothing else to the ticket; checked again here).
 */

import type { Tx } from '../../db/database.js';
import { CREDENTIALS_PLACEHOLDER } from '../../templates/consent-messages.js';
import { logRemoteSessionTime } from '../billing/remote-session-time.js';
import type { InboundMessage, IngestOutcome } from '../channel.js';
import type { CoreContext, RemoteSessionEnded } from '../core-context.js';
import { storeMessage } from '../inbound-store.js';
import type { CustomerRow, IdentityRow, TicketRow } from '../threading.js';
import { type ConsentAnswer, interpretConsentAnswer, withoutNameSignOff } from './answer-rule.js';
import { carried, notifyCustomer, tellTechnician } from './consent-requests.js';
import { sessionEnded, sessionMinutes } from './consent-sessions.js';
import { appendConsent, type ConsentRow, type ConsentState, consentStateOfTicket } from './consent-store.js';
import {
  carriesCredentials,
  HANDED_COMPLETE,
  HANDED_ID_ONLY,
  isIdWithoutPassword,
  withoutCredentials,
} from './credential-handover.js';

interface Answered {
  outcome: IngestOutcome;
  /** Run after the commit (billing's hook). */
  after?: () => void;
}

/**
 * Interprets `message` against the ticket's consent. Returns undefined when the consent has
 * nothing to do with it (normal handling goes on); otherwise the message is stored here.
 * `secretText` is the customer's new words BEFORE redaction: used only for a credentials
 * hand-over, never stored.
 */
export async function answerConsentFromMessage(
  ctx: CoreContext,
  tx: Tx,
  message: InboundMessage,
  secretText: string,
  sender: { identity: IdentityRow; customer: CustomerRow },
  ticket: TicketRow,
): Promise<Answered | undefined> {
  if (sender.customer.id !== ticket.customerId || message.automated) return undefined;
  const now = ctx.now();
  const state = await consentStateOfTicket(tx, ticket.id, now);
  if (state.phase === 'none' || !state.request) return undefined;
  const answer = interpretConsentAnswer(
    withoutNameSignOff(
      message.newText,
      message.sender.displayName ?? sender.identity.displayName ?? undefined,
    ),
  );
  const who = `${sender.identity.kind}:${sender.identity.address}`;
  const store = async (stored: InboundMessage) => {
    const id = await storeMessage(tx, stored, {
      ticketId: ticket.id,
      customerId: sender.customer.id,
      disposition: 'ticket',
      ticketUpdatedAt: now,
    });
    const outcome: IngestOutcome = {
      status: 'threaded',
      messageId: String(id),
      ticketId: String(ticket.id),
      ticketNumber: ticket.number,
    };
    return { id, outcome };
  };

  if (answer === 'unclear' && carriesCredentials(state, secretText)) {
    const { id, outcome: stored } = await store(withoutCredentials(message));
    const outcome: IngestOutcome = { ...stored, heldCredentials: true };
    const handed =
      ctx.credentialHandOver?.handOver({
        ticketNumber: ticket.number,
        technician: state.request.technician,
        technicianRef: state.request.technicianRef ?? undefined,
        secret: secretText,
      }) ?? false;
    if (handed) {
      await appendConsent(tx, {
        ...carried(state.request),
        event: 'credentials_provided',
        requestId: state.request.id,
        identity: who,
        answerMessageId: id,
        answerText: CREDENTIALS_PLACEHOLDER,
        // A lone password completes an ID-only hand-over; only an ID alone waits for more.
        requestText:
          state.phase === 'awaiting_credentials' && isIdWithoutPassword(secretText)
            ? HANDED_ID_ONLY
            : HANDED_COMPLETE,
        answerVia: 'text',
        at: now,
      });
      await notifyCustomer(ctx, tx, ticket, 'credentials_received');
      await tellTechnician(
        tx,
        ticket,
        'consent_credentials',
        `credenziali ricevute (non conservate): leggile una volta sola con GET /api/v1/tickets/${ticket.number}/credentials / credentials received (not stored): read them once`,
        state.request.technicianRef,
      );
    } else {
      await notifyCustomer(ctx, tx, ticket, 'credentials_retry');
      await tellTechnician(
        tx,
        ticket,
        'consent_credentials_lost',
        'il cliente ha inviato le credenziali ma nessun tecnico poteva riceverle: non sono state conservate e gli è stato chiesto di reinviarle / credentials could not be handed over; the customer was asked to send them again',
        state.request.technicianRef,
      );
    }
    return { outcome };
  }

  if (state.phase === 'pending') {
    const { id, outcome } = await store(message);
    await recordAnswer(ctx, tx, ticket, state, answer, {
      identity: who,
      answerMessageId: id,
      answerText: message.newText,
      answerVia: 'text',
    });
    return { outcome };
  }

  // Granted, awaiting credentials or in session: only a no-word matters (T5: stop at any moment).
  if (answer !== 'no') return undefined;
  const { id, outcome } = await store(message);
  const ended = await revoke(ctx, tx, ticket, state, {
    identity: who,
    answerMessageId: id,
    answerText: message.newText,
    answerVia: 'text',
  });
  return { outcome, after: ended ? () => sessionEnded(ctx, ended) : undefined };
}

interface AnswerFields {
  identity: string;
  answerMessageId?: bigint;
  answerText: string;
  answerVia: 'text' | 'button';
}

/** A yes, a no or an unclear reply to a pending request: evidence row, customer and technician told. */
export async function recordAnswer(
  ctx: CoreContext,
  tx: Tx,
  ticket: TicketRow,
  state: ConsentState,
  answer: ConsentAnswer,
  fields: AnswerFields,
): Promise<ConsentRow> {
  const request = state.request!;
  const event = answer === 'yes' ? 'granted' : answer === 'no' ? 'refused' : 'unclear';
  const row = await appendConsent(tx, {
    ...carried(request),
    ...fields,
    event,
    requestId: request.id,
    // A plain yes also confirms the backup (T7): the request says so.
    backupConfirmed: answer === 'yes',
    at: ctx.now(),
  });
  const quoted = JSON.stringify(fields.answerText.slice(0, 200));
  if (answer === 'yes') {
    const after = await consentStateOfTicket(tx, ticket.id, ctx.now());
    const credentials = after.phase === 'awaiting_credentials';
    await notifyCustomer(ctx, tx, ticket, credentials ? 'granted_credentials' : 'granted');
    await tellTechnician(
      tx,
      ticket,
      'consent_granted',
      `consenso CONCESSO da ${fields.identity} (${quoted}), backup confermato${credentials ? '; in attesa di ID e password' : ''} / consent GRANTED`,
      request.technicianRef,
    );
  } else if (answer === 'no') {
    await notifyCustomer(ctx, tx, ticket, 'refused');
    await tellTechnician(
      tx,
      ticket,
      'consent_refused',
      `consenso RIFIUTATO (${quoted}) / consent REFUSED`,
      request.technicianRef,
    );
  } else {
    await notifyCustomer(ctx, tx, ticket, 'unclear');
    await tellTechnician(
      tx,
      ticket,
      'consent_unclear',
      `risposta non chiara, NON è consenso (${quoted}); chiesto un sì o un no / unclear reply, NOT consent`,
      request.technicianRef,
    );
  }
  return row;
}

/**
 * The customer withdraws consent (T5): `revoked` row, the session clock stops (its minutes on
 * the row), the technician is alerted at once and the customer gets the T4 reminder. Returns the
 * ended session for billing's hook, when one was running.
 */
export async function revoke(
  ctx: CoreContext,
  tx: Tx,
  ticket: TicketRow,
  state: ConsentState,
  fields: AnswerFields,
): Promise<RemoteSessionEnded | undefined> {
  const request = state.request!;
  const now = ctx.now();
  const minutes = state.sessionStartedAt ? sessionMinutes(state.sessionStartedAt, now) : null;
  await appendConsent(tx, {
    ...carried(request),
    ...fields,
    event: 'revoked',
    requestId: request.id,
    minutes,
    at: now,
  });
  await notifyCustomer(ctx, tx, ticket, 'revoked');
  await tellTechnician(
    tx,
    ticket,
    'consent_revoked',
    `STOP: il cliente ha REVOCATO il consenso${state.sessionStartedAt ? ` — interrompi subito la sessione (${minutes} min)` : ''} / the customer REVOKED consent: disconnect now`,
    request.technicianRef,
  );
  if (!state.sessionStartedAt) return undefined;
  const ended: RemoteSessionEnded = {
    ticketId: ticket.id.toString(),
    ticketNumber: ticket.number,
    technician: request.technician,
    startedAt: state.sessionStartedAt,
    endedAt: now,
    minutes: minutes ?? 0,
    reason: 'revoked',
  };
  await logRemoteSessionTime(ctx, tx, ended);
  return ended;
}
