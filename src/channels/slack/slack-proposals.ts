import { bookedAppointmentOf, cancelAppointment } from '../../core/appointment-changes.js';
import type { CoreContext } from '../../core/core-context.js';
import { proposeForTicket } from '../../core/proposals.js';
import { getTicketByNumber } from '../../core/tickets.js';
import { slotList } from '../../templates/slots.js';
import type { SlackActor } from './slack-actions.js';

/**
 * The card's "Proponi orari" button and `/helpdesk propose N [remote|onsite] [duration]`: sends the
 * next free slots to the customer (core/proposals.ts) and tells the technician which ones.
 */
export async function proposeFromSlack(
  core: CoreContext,
  number: number,
  who: SlackActor,
  options: { mode?: 'remote' | 'onsite'; minutes?: number } = {},
): Promise<string> {
  const offer = await proposeForTicket(core, number, {
    technician: who.userId,
    kind: options.mode ?? 'remote',
    durationMinutes: options.minutes ?? 60,
  });
  if (offer.slots.length === 0)
    return `Ticket #${number}: nessun orario libero da proporre; il cliente è stato avvisato. / No free slots to propose; the customer was told.`;
  const timeZone = core.calendar?.timeZone ?? 'Europe/Rome';
  return `Ticket #${number}: orari proposti al cliente (${options.mode === 'onsite' ? 'in sede' : 'da remoto'}) / slots proposed to the customer:\n${slotList(offer.slots, 'it', timeZone)}`;
}

/** `/helpdesk cancel N` and `/helpdesk move N`: cancels the ticket's coming appointment (moving proposes new slots). */
export async function cancelFromSlack(
  core: CoreContext,
  number: number,
  who: SlackActor,
  move: boolean,
): Promise<string> {
  const ticket = await getTicketByNumber(core.database, number);
  const appointment = await bookedAppointmentOf(core, ticket.id);
  if (!appointment) return `Ticket #${number}: nessun appuntamento da annullare. / No appointment to cancel.`;
  const result = await cancelAppointment(core, appointment.id, {
    actor: who.actor,
    by: 'technician',
    move,
  });
  if (result.status !== 'cancelled')
    return `Ticket #${number}: nessun appuntamento da annullare. / No appointment to cancel.`;
  return move
    ? `Ticket #${number}: appuntamento annullato, nuovi orari proposti al cliente. / Appointment cancelled, new slots proposed.`
    : `Ticket #${number}: appuntamento annullato; il cliente è stato avvisato. / Appointment cancelled; the customer was told.`;
}
