/**
 * What a technician is told when a button or `/helpdesk` could not do its work: Italian, then
 * English, escaped for Slack's mrkdwn (an error may quote what a customer typed).
 */
import { HelpdeskError, InvalidTransitionError, NotFoundError } from '../../core/errors.js';
import { escapeChatMarkup } from '../../templates/format.js';
import { STATUS_LABELS } from './slack-blocks.js';

/** Told for any error that is not one of ours (a store or Slack failure): trying again may work. */
export const RETRY_ANSWER = 'Errore, riprova. / Error, please retry.';

/** `Ticket #N non trovato. / Ticket #N not found.`; `number` undefined for a value that is no number. */
export function ticketNotFound(number?: number | string): string {
  const which = number === undefined ? '' : ` #${escapeChatMarkup(String(number))}`;
  return `Ticket${which} non trovato. / Ticket${which} not found.`;
}

/** The answer for `error`: ours in both languages, anything else {@link RETRY_ANSWER}. */
export function errorAnswer(error: unknown): string {
  if (error instanceof NotFoundError) {
    const { what, id } = error.context as { what?: string; id?: unknown };
    if (what === 'ticket') return ticketNotFound(String(id).replace(/^#/, ''));
    return `Non trovato / Not found: ${escapeChatMarkup(`${what ?? ''} ${String(id ?? '')}`.trim())}.`;
  }
  if (error instanceof InvalidTransitionError) {
    const { ticketNumber, from, to } = error.context as { ticketNumber?: number; from?: string; to?: string };
    const it = (s?: string) => STATUS_LABELS[s ?? ''] ?? escapeChatMarkup(String(s));
    return `Ticket #${ticketNumber}: non può passare da ${it(from)} a ${it(to)}. / Ticket #${ticketNumber} cannot go from ${escapeChatMarkup(String(from))} to ${escapeChatMarkup(String(to))}.`;
  }
  if (error instanceof HelpdeskError) {
    return `Operazione non possibile. / Not possible: ${escapeChatMarkup(error.message)}`;
  }
  return RETRY_ANSWER;
}
