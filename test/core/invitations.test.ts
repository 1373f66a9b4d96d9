import ICAL, { type VEvent } from 'node-ical';
import { describe, expect, it } from 'vitest';
import { buildInvitation, type InvitationInput } from '../../src/core/invitations.js';

const base: InvitationInput = {
  method: 'REQUEST',
  uid: 'appointment-7f3c@helpdesk.example',
  sequence: 0,
  start: new Date('2026-12-01T14:00:00Z'), // 15:00 in Rome
  end: new Date('2026-12-01T15:00:00Z'),
  timeZone: 'Europe/Rome',
  summary: 'Intervento da remoto — ticket #1042',
  organizer: { name: 'Assistenza', email: 'helpdesk@example.test' },
  attendee: { name: 'Mario Rossi', email: 'mario@example.test' },
  stamp: new Date('2026-11-30T09:00:00Z'),
};

/** Parses with a separate parser (node-ical) and returns the one event and the raw text. */
function parse(text: string) {
  const data = ICAL.sync.parseICS(text);
  const events = Object.values(data).filter((c) => c?.type === 'VEVENT') as VEvent[];
  expect(events).toHaveLength(1);
  return events[0]!;
}

describe('appointment invitations (iCalendar)', () => {
  it('is a REQUEST with organizer, attendee, TZID and a VTIMEZONE, at the right instants', () => {
    const text = buildInvitation(base);
    expect(text).toMatch(/^METHOD:REQUEST\r$/m);
    expect(text).toContain('BEGIN:VTIMEZONE');
    expect(text).toMatch(/^TZID:Europe\/Rome\r$/m);
    expect(text).toMatch(/^DTSTART;TZID=Europe\/Rome:20261201T150000\r$/m);
    expect(text).toMatch(/^DTEND;TZID=Europe\/Rome:20261201T160000\r$/m);
    expect(text).toMatch(/^DTSTAMP:20261130T090000Z\r$/m); // RFC 5545: DTSTAMP in UTC
    const event = parse(text);
    expect(event.uid).toBe(base.uid);
    expect(Number(event.sequence)).toBe(0);
    expect(event.start.toISOString()).toBe('2026-12-01T14:00:00.000Z');
    expect(event.end?.toISOString()).toBe('2026-12-01T15:00:00.000Z');
    expect(event.start.tz).toBe('Europe/Rome');
    expect(String((event.organizer as { val?: string }).val ?? event.organizer)).toContain(
      'helpdesk@example.test',
    );
    expect(JSON.stringify(event.attendee)).toContain('mario@example.test');
  });

  it('a reschedule keeps the UID and raises SEQUENCE; a summer date keeps local 15:00', () => {
    const moved = buildInvitation({
      ...base,
      sequence: 1,
      start: new Date('2027-03-30T13:00:00Z'), // 15:00 CEST, after the March change
      end: new Date('2027-03-30T14:00:00Z'),
    });
    expect(moved).toMatch(/^DTSTART;TZID=Europe\/Rome:20270330T150000\r$/m);
    const event = parse(moved);
    expect(event.uid).toBe(base.uid);
    expect(Number(event.sequence)).toBe(1);
    expect(event.start.toISOString()).toBe('2027-03-30T13:00:00.000Z');
  });

  it('a cancellation is METHOD:CANCEL with the same UID and a higher SEQUENCE', () => {
    const text = buildInvitation({ ...base, method: 'CANCEL', sequence: 2 });
    expect(text).toMatch(/^METHOD:CANCEL\r$/m);
    const event = parse(text);
    expect(event.uid).toBe(base.uid);
    expect(Number(event.sequence)).toBe(2);
    expect(event.status).toBe('CANCELLED');
  });
});
