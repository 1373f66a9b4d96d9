/**
 * Time tracking from Slack (issue #24): `/helpdesk time N 1h30 testo`, `/helpdesk summary N`, and
 * the card's Registra tempo / Avvia timer / Ferma timer buttons. The technician is the Slack
 * display name, as in the ticket's assignee.
 */

import { formatDuration } from '../../core/billing/duration.js';
import { postHourSummary } from '../../core/billing/hour-summary.js';
import type { EntryKind } from '../../core/billing/pricing.js';
import { recordTimeEntry } from '../../core/billing/time-entries.js';
import { startTimer, stopTimer, timerStopTime } from '../../core/billing/timers.js';
import { redactText } from '../../core/consent/redaction.js';
import type { CoreContext } from '../../core/core-context.js';
import { escapeChatMarkup } from '../../templates/format.js';
import { REDACTED_NOTICE, type SlackActor } from './slack-actions.js';
import { formatWhen } from './slack-blocks.js';

const KIND_LABELS: Record<EntryKind, string> = { remote: 'da remoto', on_site: 'in sede', phone: 'telefono' };
const actorOf = (who: SlackActor) => who.actor;

/** The Registra tempo button: how to log time (a command is faster than a form for `1h30`). */
export function logTimeHint(command: string, number: number): string {
  return [
    `Per registrare il tempo sul ticket #${number}: \`${command} time ${number} 1h30 testo\``,
    'Durate: 1h30, 90m, 1:30, 1,5h. Dopo la durata puoi scrivere "telefono", "sede" o "gratis" (non fatturabile).',
    'Oppure usa i pulsanti Avvia timer / Ferma timer sulla scheda.',
    `To log time on ticket #${number}: \`${command} time ${number} 1h30 text\` (or the timer buttons on the card).`,
  ].join('\n');
}

/** `/helpdesk time N 1h30 [telefono|sede|gratis] testo`: a confirmed entry ending now. */
export async function logTimeFromCommand(
  core: CoreContext,
  input: { number: number; minutes: number; entryKind: EntryKind; billable: boolean; text: string },
  who: SlackActor,
): Promise<{ answer: string; threadHead: string; threadBody: string }> {
  // The thread shows the description as stored: redacted (T8).
  const { text, count } = redactText(input.text);
  await core.database.transaction((tx) =>
    recordTimeEntry(core, tx, {
      ticketNumber: input.number,
      technician: who.name,
      minutes: input.minutes,
      kind: input.entryKind,
      billable: input.billable,
      note: text,
      source: 'slack',
      actor: actorOf(who),
    }),
  );
  const what = `${formatDuration(input.minutes)} ${KIND_LABELS[input.entryKind]}${input.billable ? '' : ', non fatturabile'}`;
  return {
    answer: `Registrati ${what} sul ticket #${input.number}. / Time logged on ticket #${input.number}.${count > 0 ? ` ${REDACTED_NOTICE}` : ''}`,
    threadHead: `:stopwatch: ${escapeChatMarkup(who.name)} ha registrato ${what}${text ? ': ' : ''}`,
    threadBody: text,
  };
}

/** `/helpdesk summary N`: the running summary, posted in the ticket's thread (not to the customer). */
export async function postRunningSummary(
  core: CoreContext,
  number: number,
  who: SlackActor,
): Promise<string> {
  await core.database.transaction((tx) =>
    postHourSummary(core, tx, { ticketNumber: number, final: false, toCustomer: false, actor: actorOf(who) }),
  );
  return `Riepilogo ore del ticket #${number} pubblicato nel thread. / Hours summary posted in the thread.`;
}

export async function startTicketTimer(core: CoreContext, number: number, who: SlackActor): Promise<string> {
  const entry = await core.database.transaction((tx) =>
    startTimer(core, tx, { ticketNumber: number, technician: who.name, actor: actorOf(who) }),
  );
  const tz = core.calendar?.timeZone ?? 'Europe/Rome';
  return `Timer avviato sul ticket #${number}. Se resta attivo si ferma da solo alle ${formatWhen(timerStopTime(entry.startedAt, core.calendar), tz)} e andrà confermato. / Timer started on ticket #${number}.`;
}

export async function stopTicketTimer(core: CoreContext, number: number, who: SlackActor): Promise<string> {
  const { entry, confirmed } = await core.database.transaction((tx) =>
    stopTimer(core, tx, { ticketNumber: number, technician: who.name, actor: actorOf(who) }),
  );
  const duration = formatDuration(entry.minutes ?? 0);
  return confirmed === 'stopped'
    ? `Timer fermato: ${duration} registrati sul ticket #${number}. / Timer stopped: ${duration} logged.`
    : `Timer confermato: ${duration} sul ticket #${number} ora fatturabili. / Timer confirmed: ${duration} now billable.`;
}
