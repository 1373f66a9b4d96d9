import type { TicketStatus } from '../db/statuses.js';
import type { Locale } from './format.js';

/** The ticket statuses as staff read them, Italian first (the ticket pages, the reports and their CSV: the one table of them). */
export const TICKET_STATUS_NAMES: Record<Locale, Record<TicketStatus, string>> = {
  it: {
    new: 'Nuovo',
    open: 'Aperto',
    waiting_customer: 'In attesa del cliente',
    scheduled: 'Pianificato',
    in_progress: 'In lavorazione',
    resolved: 'Risolto',
    closed: 'Chiuso',
  },
  en: {
    new: 'New',
    open: 'Open',
    waiting_customer: 'Waiting for customer',
    scheduled: 'Scheduled',
    in_progress: 'In progress',
    resolved: 'Resolved',
    closed: 'Closed',
  },
};
