/**
 * Pure Block Kit serialisation for the technicians' channel: the ticket card, customer messages
 * in a thread, staff alerts. No I/O, no Slack library. Texts are escaped for Slack's mrkdwn
 * (`&`, `<`, `>`), so a customer cannot forge a mention or a link.
 */
import { escapeChatMarkup, formatEuro } from '../../templates/format.js';
import { splitText } from '../telegram/format-message.js';

/** Slack's limit for a section block's text. */
export const SECTION_TEXT_LIMIT = 3000;
/** What we put in one message's `text` (Slack truncates at 40 000; 3 900 stays readable). */
export const MESSAGE_TEXT_LIMIT = 3900;
/** How much of the first message the card shows. */
const CARD_FIRST_TEXT_CHARS = 1200;

/** Buttons on the card; their `action_id`s. */
export const CARD_ACTIONS = {
  take: 'ticket_take',
  proposeSlots: 'ticket_propose_slots',
  requestConsent: 'ticket_request_consent',
  logTime: 'ticket_log_time',
  timerStart: 'ticket_timer_start',
  timerStop: 'ticket_timer_stop',
  resolve: 'ticket_resolve',
} as const;

export interface TicketCardView {
  number: number;
  subject: string;
  status: string;
  originChannel: string;
  customer: { name: string; status: string; hourlyRateCents: number; quickAccess: boolean };
  firstText: string;
  assignee: string | null;
  firstContactDueAt: Date | null;
  firstContactAt: Date | null;
  timeZone: string;
}

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

export function formatWhen(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('it-IT', { timeZone, dateStyle: 'short', timeStyle: 'short' }).format(date);
}

/** Ticket statuses as Slack shows them, lower-case Italian (the card, `/helpdesk` answers). */
export const STATUS_LABELS: Record<string, string> = {
  new: 'nuovo',
  open: 'aperto',
  waiting_customer: 'in attesa del cliente',
  scheduled: 'programmato',
  in_progress: 'in lavorazione',
  resolved: 'risolto',
  closed: 'chiuso',
};

const CUSTOMER_STATUS_LABELS: Record<string, string> = {
  pending: 'da attivare',
  active: 'attivo',
  suspended: 'sospeso',
  rejected: 'rifiutato',
};

function deadlineText(view: TicketCardView): string {
  if (view.firstContactAt) return `fatto il ${formatWhen(view.firstContactAt, view.timeZone)}`;
  if (!view.firstContactDueAt) return 'parte all’attivazione del cliente';
  return `entro ${formatWhen(view.firstContactDueAt, view.timeZone)}`;
}

/** The ticket's parent message: `text` (notifications, fallback) and `blocks`. */
export function ticketCard(view: TicketCardView): { text: string; blocks: unknown[] } {
  const c = view.customer;
  const title = `#${view.number} ${clip(view.subject, 150)}`;
  const fields = [
    `*Cliente*\n${escapeChatMarkup(clip(c.name, 200))} (${CUSTOMER_STATUS_LABELS[c.status] ?? escapeChatMarkup(c.status)})`,
    `*Tariffa*\n${formatEuro(c.hourlyRateCents, 'it')}/h + IVA`,
    `*Accesso rapido*\n${c.quickAccess ? 'sì' : 'no'}`,
    `*Canale*\n${escapeChatMarkup(view.originChannel)}`,
    `*Stato*\n${STATUS_LABELS[view.status] ?? escapeChatMarkup(view.status)}`,
    `*Assegnato a*\n${view.assignee ? escapeChatMarkup(view.assignee) : '—'}`,
    `*Primo contatto*\n${deadlineText(view)}`,
  ];
  const button = (text: string, actionId: string, style?: 'primary' | 'danger') => ({
    type: 'button',
    text: { type: 'plain_text', text },
    action_id: actionId,
    value: String(view.number),
    ...(style ? { style } : {}),
  });
  const closed = view.status === 'resolved' || view.status === 'closed';
  return {
    text: escapeChatMarkup(`Ticket ${title} — ${c.name}`),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(title, 150) } },
      { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text: clip(text, 2000) })) },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: escapeChatMarkup(clip(view.firstText.trim() || '(nessun testo)', CARD_FIRST_TEXT_CHARS)),
        },
      },
      {
        type: 'actions',
        elements: [
          ...(view.assignee ? [] : [button('Prendo io', CARD_ACTIONS.take, 'primary')]),
          button('Proponi orari', CARD_ACTIONS.proposeSlots),
          button('Chiedi consenso', CARD_ACTIONS.requestConsent),
          button('Registra tempo', CARD_ACTIONS.logTime),
          button('Avvia timer', CARD_ACTIONS.timerStart),
          button('Ferma timer', CARD_ACTIONS.timerStop),
          ...(closed ? [] : [button('Risolvi', CARD_ACTIONS.resolve, 'danger')]),
        ],
      },
    ],
  };
}

/** A customer message in its thread: one or more texts (split at Slack's limits), escaped. */
export function customerMessageTexts(input: {
  senderName: string;
  channel: string;
  text: string;
  edited?: boolean;
  omittedFiles?: string[];
}): string[] {
  const head = `*${escapeChatMarkup(clip(input.senderName, 100))}* (${escapeChatMarkup(input.channel)})${input.edited ? ' — _messaggio modificato_' : ''}:`;
  const notes = (input.omittedFiles ?? []).map((note) => `\n_${escapeChatMarkup(note)}_`).join('');
  const parts = splitText(input.text.trim() || '(nessun testo)', MESSAGE_TEXT_LIMIT - 200);
  return parts.map(
    (part, i) =>
      `${i === 0 ? `${head}\n` : ''}${escapeChatMarkup(part)}${i === parts.length - 1 ? notes : ''}`,
  );
}

const ALERT_ICONS: Record<string, string> = { hour_summary: ':receipt:', timer_stopped: ':stopwatch:' };

/** A staff alert as posted in the channel (or the ticket's thread). */
export function alertText(alert: { kind: string; text: string; mention?: string | null }): string {
  // A Slack member to notify at once (the technician whose customer stopped a session, T5).
  const mention = alert.mention && /^[UW][A-Z0-9]{2,}$/.test(alert.mention) ? `<@${alert.mention}> ` : '';
  // Billing (#24): the hour summary and a timer that stopped itself are news, not alarms.
  const icon = ALERT_ICONS[alert.kind];
  if (icon) return `${mention}${icon} ${escapeChatMarkup(clip(alert.text, MESSAGE_TEXT_LIMIT - 100))}`;
  return `${mention}:rotating_light: *${escapeChatMarkup(alert.kind)}* — ${escapeChatMarkup(clip(alert.text, MESSAGE_TEXT_LIMIT - 100))}`;
}

/**
 * A post in a ticket's thread: `head` (mrkdwn, already escaped) then `body` (plain text, escaped
 * here), split at {@link MESSAGE_TEXT_LIMIT} into as many messages as it takes.
 */
export function threadPostTexts(head: string, body: string): string[] {
  if (!body) return [head];
  const firstLimit = Math.max(MESSAGE_TEXT_LIMIT - head.length, 500);
  return splitText(body, MESSAGE_TEXT_LIMIT, { firstLimit }).map(
    (part, i) => `${i === 0 ? head : ''}${escapeChatMarkup(part)}`,
  );
}
