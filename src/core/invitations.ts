import ical, {
  ICalAttendeeRole,
  ICalAttendeeStatus,
  ICalCalendarMethod,
  ICalEventStatus,
} from 'ical-generator';
import { tzlib_get_ical_block } from 'timezones-ical-library';
import { DateTime } from './luxon.js';

/**
 * iCalendar invitations for appointments (RFC 5545, iTIP RFC 5546), built with `ical-generator`:
 * `METHOD:REQUEST` for a new or moved appointment, `METHOD:CANCEL` to remove it. A moved
 * appointment keeps its UID and raises SEQUENCE, so calendar apps update the event instead of
 * adding one; a cancellation carries the same UID and a higher SEQUENCE, or Outlook and Google
 * ignore it. Times carry their TZID, and the VTIMEZONE comes from `timezones-ical-library`.
 */

export interface InvitationInput {
  method: 'REQUEST' | 'CANCEL';
  uid: string;
  sequence: number;
  start: Date;
  end: Date;
  timeZone: string;
  summary: string;
  description?: string;
  location?: string;
  organizer: { name: string; email: string };
  attendee: { name?: string; email: string };
  /** When this version was made (DTSTAMP). */
  stamp: Date;
}

/** The VTIMEZONE block of an IANA zone, or null when the library does not know it. */
function vtimezone(timeZone: string): string | null {
  const block = tzlib_get_ical_block(timeZone);
  const text = Array.isArray(block) ? block[0] : undefined;
  return typeof text === 'string' && text.includes('BEGIN:VTIMEZONE') ? text.replace(/\r?\n$/, '') : null;
}

/**
 * One invitation or cancellation as `text/calendar` content.
 *
 * Start and end go in as luxon DateTimes in the zone: given native Dates, ical-generator writes the
 * server's own local time under the TZID. The zone is set on the event, not the calendar, so
 * DTSTAMP stays in UTC as RFC 5545 requires; the VTIMEZONE is added before the event.
 */
export function buildInvitation(input: InvitationInput): string {
  const calendar = ical({
    prodId: { company: 'helpdesk-bot', product: 'appointments', language: 'IT' },
    method: input.method === 'CANCEL' ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
  });
  const zoned = (d: Date) => DateTime.fromJSDate(d, { zone: input.timeZone });
  calendar.createEvent({
    id: input.uid,
    sequence: input.sequence,
    stamp: input.stamp,
    start: zoned(input.start),
    end: zoned(input.end),
    timezone: input.timeZone,
    summary: input.summary,
    description: input.description,
    location: input.location,
    status: input.method === 'CANCEL' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    organizer: { name: input.organizer.name, email: input.organizer.email },
    attendees: [
      {
        name: input.attendee.name,
        email: input.attendee.email,
        role: ICalAttendeeRole.REQ,
        status: ICalAttendeeStatus.NEEDSACTION,
        rsvp: input.method === 'REQUEST',
      },
    ],
  });
  const text = calendar.toString();
  const block = vtimezone(input.timeZone);
  return block
    ? text.replace('BEGIN:VEVENT\r\n', `${block.replace(/\r?\n/g, '\r\n')}\r\nBEGIN:VEVENT\r\n`)
    : text;
}
