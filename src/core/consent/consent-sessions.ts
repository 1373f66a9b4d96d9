/**
 * Remote sessions (terms T4, T5): started by the technician after a yes, ended by the technician
 * (T4 reminder to the customer) or stopped by the customer (consent-answers.ts, `revoke`). Their
 * minutes go to billing through `core.onRemoteSessionEnded` (issue 24).
 */

import { audit } from '../audit.js';
import { logRemoteSessionTime } from '../billing/remote-session-time.js';
import type { CoreContext, RemoteSessionEnded } from '../core-context.js';
import { ConsentStateError } from '../errors.js';
import { getTicketByNumber } from '../tickets.js';
import { CONSENT_BUTTONS } from './answer-rule.js';
import { carried, notifyCustomer } from './consent-requests.js';
import { appendConsent, type ConsentRow, consentStateOfTicket } from './consent-store.js';

/**
 * The technician starts the remote session after the customer's yes (and the credentials, when
 * due). Throws ConsentStateError when there is no usable yes.
 */
export async function startRemoteSession(
  ctx: CoreContext,
  input: { ticketNumber: number; technician: string; actor: string },
): Promise<ConsentRow> {
  const row = await ctx.database.transaction(async (tx) => {
    const now = ctx.now();
    const ticket = await getTicketByNumber(tx, input.ticketNumber, { forUpdate: true });
    const state = await consentStateOfTicket(tx, ticket.id, now);
    if (state.phase !== 'granted' || !state.request) {
      throw new ConsentStateError(
        ticket.number,
        state.phase === 'awaiting_credentials'
          ? 'the remote tool credentials have not been handed over yet'
          : `no granted consent to start a session (${state.phase})`,
        state.phase,
      );
    }
    const started = await appendConsent(tx, {
      ...carried(state.request),
      technician: input.technician,
      event: 'session_started',
      requestId: state.request.id,
      at: now,
    });
    await notifyCustomer(ctx, tx, ticket, 'session_started', [
      [{ label: 'STOP', data: CONSENT_BUTTONS.stop(state.request.id.toString()) }],
    ]);
    await audit(tx, { actor: input.actor, action: 'consent.session_started', ticketId: ticket.id });
    return started;
  });
  ctx.jobs.wake();
  return row;
}

/** Minutes between two times, rounded up (a started minute counts). */
export function sessionMinutes(start: Date, end: Date): number {
  return Math.max(0, Math.ceil((end.getTime() - start.getTime()) / 60_000));
}

/**
 * The technician ends the session: its minutes are recorded, the customer gets the T4 reminder
 * (close the tool, check it is not running, never start it automatically), and billing's hook
 * (`onRemoteSessionEnded`) is told. Throws ConsentStateError when no session runs.
 */
export async function endRemoteSession(
  ctx: CoreContext,
  input: { ticketNumber: number; technician: string; actor: string },
): Promise<ConsentRow> {
  let ended: RemoteSessionEnded | undefined;
  const row = await ctx.database.transaction(async (tx) => {
    const now = ctx.now();
    const ticket = await getTicketByNumber(tx, input.ticketNumber, { forUpdate: true });
    const state = await consentStateOfTicket(tx, ticket.id, now);
    if (state.phase !== 'in_session' || !state.request || !state.sessionStartedAt) {
      throw new ConsentStateError(ticket.number, 'no remote session is running', state.phase);
    }
    const minutes = sessionMinutes(state.sessionStartedAt, now);
    const stored = await appendConsent(tx, {
      ...carried(state.request),
      technician: input.technician,
      event: 'session_ended',
      requestId: state.request.id,
      minutes,
      at: now,
    });
    await notifyCustomer(ctx, tx, ticket, 'session_ended');
    await audit(tx, {
      actor: input.actor,
      action: 'consent.session_ended',
      ticketId: ticket.id,
      data: { minutes },
    });
    ended = {
      ticketId: ticket.id.toString(),
      ticketNumber: ticket.number,
      technician: input.technician,
      startedAt: state.sessionStartedAt,
      endedAt: now,
      minutes,
      reason: 'ended',
    };
    await logRemoteSessionTime(ctx, tx, ended);
    return stored;
  });
  ctx.jobs.wake();
  if (ended) sessionEnded(ctx, ended);
  return row;
}

/** Tells billing's listeners (issue 24) that a session ended; a listener's throw is ignored. */
export function sessionEnded(ctx: CoreContext, event: RemoteSessionEnded): void {
  for (const listener of ctx.onRemoteSessionEnded ?? []) {
    try {
      listener(event);
    } catch {
      // A listener must not throw; the session's end is recorded whatever it does.
    }
  }
}
