/** Texts of the staff ticket pages (#25), Italian first, then English. */
import type { Locale } from '../../templates/format.js';
import { TICKET_STATUS_NAMES } from './status-texts.js';

/** Shortest and longest appointment slot offered from the ticket page, minutes (a multiple of 15). */
export const SLOT_MINUTES = { min: 15, max: 180, step: 15 } as const;

/** A refused slot length, Italian then English (a validation message), naming the field. */
const SLOT_LENGTH_REFUSED =
  'Durata (minuti): un numero intero da 15 a 180, a passi di 15. / Duration (minutes): a whole number from 15 to 180, in steps of 15.';

const it = {
  tickets: 'Ticket',
  search: 'Cerca',
  searchHint: 'Parole in qualsiasi forma (stampante trova stampanti); "frase esatta", -escludi, or',
  status: 'Stato',
  channel: 'Canale',
  customer: 'Cliente',
  assignee: 'Assegnato a',
  assigneeHint: 'Nome del tecnico; - per i non assegnati',
  deadline: 'Primo contatto',
  any: 'Tutti',
  apply: 'Filtra',
  reset: 'Azzera',
  number: 'N.',
  subject: 'Oggetto',
  updated: 'Aggiornato',
  none: 'Nessun ticket con questi filtri.',
  next: 'Pagina successiva',
  first: 'Prima pagina',
  unassigned: 'non assegnato',
  deadlines: {
    overdue: 'Scaduto',
    due_today: 'Scade oggi',
    met: 'Rispettato',
    missed: 'Mancato',
  },
  dueBy: 'entro',
  statuses: TICKET_STATUS_NAMES.it,
  thread: 'Conversazione',
  fromCustomer: 'Cliente',
  replyBy: 'Risposta di',
  noteBy: 'Nota interna di',
  internal: 'interna',
  via: 'via',
  attachments: 'Allegati',
  notKept: 'non conservato',
  delivery: 'Consegna',
  deliveries: {
    queued: 'in coda',
    sending: 'in invio',
    retrying: 'nuovo tentativo',
    sent: 'inviato',
    failed: 'non consegnato',
    suppressed: 'non inviato',
    cancelled: 'annullato',
  } as Record<string, string>,
  actions: 'Azioni',
  reply: 'Rispondi al cliente',
  replyText: 'Risposta',
  send: 'Invia',
  note: 'Nota interna',
  noteText: 'Nota (il cliente non la vede)',
  addNote: 'Aggiungi nota',
  take: 'Prendo io',
  assignedTo: 'Assegnato a',
  propose: 'Proponi orari',
  remote: 'da remoto',
  onsite: 'in sede',
  duration: 'Durata (minuti)',
  consent: 'Chiedi il consenso al collegamento remoto',
  logTime: 'Registra tempo',
  time: 'Tempo (es. 1h30, 90m)',
  kind: 'Tipo',
  kinds: { remote: 'da remoto', on_site: 'in sede', phone: 'telefono' },
  billable: 'Fatturabile',
  timeNote: 'Descrizione',
  resolve: 'Risolvi',
  reopen: 'Riapri',
  done: {
    reply: 'Risposta in invio al cliente.',
    note: 'Nota aggiunta.',
    take: 'Ticket assegnato a te.',
    propose: 'Orari proposti al cliente.',
    consent: 'Consenso richiesto al cliente.',
    time: 'Tempo registrato.',
    resolve: 'Ticket risolto.',
    reopen: 'Ticket riaperto.',
  } as Record<string, string>,
  redacted:
    'Il testo conteneva una password o un dato riservato (carta, IBAN): è stato sostituito da [redacted] prima di salvarlo e inviarlo.',
  badDuration: 'Durata non valida: scrivi ad esempio 1h30, 90m o 1,5h.',
  badSlotLength: SLOT_LENGTH_REFUSED,
  emptyText: 'Scrivi un testo.',
  draftRestored:
    'Il testo scritto prima che la sessione scadesse è di nuovo nel modulo qui sotto: non è ancora stato inviato. Controllalo e premi il pulsante per inviarlo.',
  tooLong: (limit: number, length: number, cut: boolean) =>
    `Il testo è troppo lungo: il limite è di ${limit.toLocaleString('it-IT')} caratteri${
      cut
        ? `; ne è arrivato solo l'inizio (${length.toLocaleString('it-IT')} caratteri), che trovi qui sotto`
        : ` e ne ha ${length.toLocaleString('it-IT')}`
    }. Accorcialo e invia di nuovo: non è stato inviato nulla.`,
  notFound: 'Ticket non trovato.',
  firstContactDue: 'Primo contatto entro',
  firstContactAt: 'Primo contatto',
  origin: 'Aperto da',
};

export type TicketTexts = typeof it;

const en: TicketTexts = {
  tickets: 'Tickets',
  search: 'Search',
  searchHint: 'Words in any form (stampante finds stampanti); "exact phrase", -exclude, or',
  status: 'Status',
  channel: 'Channel',
  customer: 'Customer',
  assignee: 'Assigned to',
  assigneeHint: "Technician's name; - for unassigned",
  deadline: 'First contact',
  any: 'All',
  apply: 'Filter',
  reset: 'Reset',
  number: 'No.',
  subject: 'Subject',
  updated: 'Updated',
  none: 'No tickets match these filters.',
  next: 'Next page',
  first: 'First page',
  unassigned: 'unassigned',
  deadlines: { overdue: 'Overdue', due_today: 'Due today', met: 'Met', missed: 'Missed' },
  dueBy: 'by',
  statuses: TICKET_STATUS_NAMES.en,
  thread: 'Conversation',
  fromCustomer: 'Customer',
  replyBy: 'Reply by',
  noteBy: 'Internal note by',
  internal: 'internal',
  via: 'via',
  attachments: 'Attachments',
  notKept: 'not kept',
  delivery: 'Delivery',
  deliveries: {
    queued: 'queued',
    sending: 'sending',
    retrying: 'retrying',
    sent: 'sent',
    failed: 'not delivered',
    suppressed: 'not sent',
    cancelled: 'cancelled',
  },
  actions: 'Actions',
  reply: 'Reply to the customer',
  replyText: 'Reply',
  send: 'Send',
  note: 'Internal note',
  noteText: 'Note (the customer never sees it)',
  addNote: 'Add note',
  take: 'Take it',
  assignedTo: 'Assigned to',
  propose: 'Propose slots',
  remote: 'remote',
  onsite: 'on site',
  duration: 'Duration (minutes)',
  consent: 'Ask for remote-access consent',
  logTime: 'Log time',
  time: 'Time (e.g. 1h30, 90m)',
  kind: 'Kind',
  kinds: { remote: 'remote', on_site: 'on site', phone: 'phone' },
  billable: 'Billable',
  timeNote: 'Description',
  resolve: 'Resolve',
  reopen: 'Reopen',
  done: {
    reply: 'Reply on its way to the customer.',
    note: 'Note added.',
    take: 'Ticket assigned to you.',
    propose: 'Slots proposed to the customer.',
    consent: 'Consent asked of the customer.',
    time: 'Time logged.',
    resolve: 'Ticket resolved.',
    reopen: 'Ticket reopened.',
  },
  redacted:
    'The text held a password or other secret (card, IBAN): it was replaced by [redacted] before it was stored and sent.',
  badDuration: 'Not a duration: write for example 1h30, 90m or 1.5h.',
  badSlotLength: SLOT_LENGTH_REFUSED,
  emptyText: 'Write some text.',
  draftRestored:
    'The text written before your session expired is back in the form below: it has not been sent yet. Check it and press the button to send it.',
  tooLong: (limit: number, length: number, cut: boolean) =>
    `The text is too long: the limit is ${limit.toLocaleString('en-GB')} characters${
      cut
        ? `; only its beginning arrived (${length.toLocaleString('en-GB')} characters), shown below`
        : ` and it has ${length.toLocaleString('en-GB')}`
    }. Shorten it and send it again: nothing was sent.`,
  notFound: 'Ticket not found.',
  firstContactDue: 'First contact due',
  firstContactAt: 'First contact',
  origin: 'Opened via',
};

export function ticketTexts(locale: Locale | string): TicketTexts {
  return locale === 'en' ? en : it;
}
