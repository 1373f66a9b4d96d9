/**
 * A remote session's duration becomes a time entry (issue #21 item 5, issue #24 item 1), in the
 * same transaction that records the session's end, so the evidence and the bill never disagree.
 */
import type { Tx } from '../../db/database.js';
import type { CoreContext, RemoteSessionEnded } from '../core-context.js';
import { recordTimeEntry } from './time-entries.js';

/** Longest single entry (minutes): a longer session is logged as this, and the note says so. */
const MAX_ENTRY_MINUTES = 1440;

/**
 * Logs `session` as a billable remote entry of its technician (`source: remote_session`). The
 * minutes are the session's, rounded up, at least 1; a session longer than a day is capped at one.
 */
export async function logRemoteSessionTime(
  ctx: CoreContext,
  tx: Tx,
  session: RemoteSessionEnded,
): Promise<void> {
  const minutes = Math.min(Math.max(session.minutes, 1), MAX_ENTRY_MINUTES);
  const how = session.reason === 'revoked' ? 'interrotta dal cliente' : 'chiusa dal tecnico';
  await recordTimeEntry(ctx, tx, {
    ticketNumber: session.ticketNumber,
    technician: session.technician,
    minutes,
    kind: 'remote',
    startedAt: session.startedAt,
    note:
      minutes < session.minutes
        ? `Sessione remota (${how}), ${session.minutes} min: registrate ${MAX_ENTRY_MINUTES}`
        : `Sessione remota (${how})`,
    source: 'remote_session',
    actor: 'consent',
  });
}
