import { DEFAULT_BUSINESS_CALENDAR } from './business-calendar.js';
import type { OutboundMessage } from './channel.js';
import type { CoreContext } from './core-context.js';
import { buildInvitation } from './invitations.js';

/** What an invitation needs of an appointment row. */
export interface AppointmentForInvitation {
  uid: string;
  sequence: number;
  startAt: Date;
  endAt: Date;
  kind: string;
  technician: string;
}

/**
 * The `text/calendar` part for an email customer (#23 item 5): REQUEST when booked or moved,
 * CANCEL (same UID, the caller raises SEQUENCE) when cancelled. Organizer is MAIL_FROM.
 */
export function appointmentCalendar(
  ctx: CoreContext,
  appointment: AppointmentForInvitation,
  ticket: { number: number; subject: string },
  method: 'REQUEST' | 'CANCEL',
): (attendee: { email: string; name?: string }) => OutboundMessage['calendar'] {
  const timeZone = (ctx.calendar ?? DEFAULT_BUSINESS_CALENDAR).timeZone;
  const organizerEmail = ctx.settings.organizerEmail ?? `helpdesk@${ctx.settings.messageIdDomain}`;
  return (attendee) => ({
    method,
    content: buildInvitation({
      method,
      uid: appointment.uid,
      sequence: appointment.sequence,
      start: appointment.startAt,
      end: appointment.endAt,
      timeZone,
      summary: `${ctx.settings.companyName}: ${appointment.kind === 'onsite' ? 'intervento presso di lei' : 'intervento da remoto'} (ticket #${ticket.number})`,
      description: `${ticket.subject} — ${appointment.technician}`,
      organizer: { name: ctx.settings.companyName, email: organizerEmail },
      attendee,
      stamp: ctx.now(),
    }),
  });
}
