import { TICKET_STATUSES, type TicketStatus } from '../db/statuses.js';
import { InvalidTransitionError } from './errors.js';

export { TICKET_STATUSES, type TicketStatus };

const WORKING: TicketStatus[] = ['open', 'waiting_customer', 'scheduled', 'in_progress'];

const ALLOWED: Record<TicketStatus, readonly TicketStatus[]> = {
  new: [...WORKING, 'resolved', 'closed'],
  open: ['waiting_customer', 'scheduled', 'in_progress', 'resolved', 'closed'],
  waiting_customer: ['open', 'scheduled', 'in_progress', 'resolved', 'closed'],
  scheduled: ['open', 'waiting_customer', 'in_progress', 'resolved', 'closed'],
  in_progress: ['open', 'waiting_customer', 'scheduled', 'resolved', 'closed'],
  // A customer message or a technician reopens a resolved ticket; closed is final (a new message
  // then opens a new ticket linking this one).
  resolved: ['open', 'closed'],
  closed: [],
};

/** Statuses in which a ticket still counts as open for the customer. */
export const OPEN_STATUSES: readonly TicketStatus[] = ['new', ...WORKING];

export function isTicketStatus(value: string): value is TicketStatus {
  return (TICKET_STATUSES as readonly string[]).includes(value);
}

export function canTransition(from: TicketStatus, to: TicketStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** Throws InvalidTransitionError when the lifecycle does not allow `from → to`. */
export function assertTransition(from: string, to: string, ticketNumber: number): void {
  if (!isTicketStatus(from) || !isTicketStatus(to) || !canTransition(from, to)) {
    throw new InvalidTransitionError(from, to, ticketNumber);
  }
}
