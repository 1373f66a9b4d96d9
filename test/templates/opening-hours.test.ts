import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { acknowledgement } from '../../src/templates/customer-messages.js';
import { formatOpeningHours } from '../../src/templates/opening-hours.js';

/** The opening hours as `BUSINESS_HOURS` sets them, in the words of each language. */
function hoursOf(businessHours: string) {
  const { calendar } = loadConfig({ BUSINESS_HOURS: businessHours });
  return { hours: calendar.hours, workingDays: calendar.workingDays };
}

describe('opening hours in what customers read', () => {
  it('renders BUSINESS_HOURS in Italian and English, hours without a leading zero', () => {
    const split = hoursOf('15:00-18:00,09:00-12:00');
    expect(formatOpeningHours(split, 'it')).toBe('dal lunedì al venerdì, 9:00-12:00 e 15:00-18:00');
    expect(formatOpeningHours(split, 'en')).toBe('Monday to Friday, 9:00-12:00 and 15:00-18:00');
    const single = hoursOf('08:30-17:30');
    expect(formatOpeningHours(single, 'it')).toBe('dal lunedì al venerdì, 8:30-17:30');
    const three = hoursOf('08:00-10:00,11:00-13:00,14:30-19:00');
    expect(formatOpeningHours(three, 'en')).toBe('Monday to Friday, 8:00-10:00, 11:00-13:00 and 14:30-19:00');
  });

  it('names other working weeks correctly, Sunday being feminine in Italian', () => {
    const hours = [{ start: '10:00', end: '12:00' }];
    expect(formatOpeningHours({ hours, workingDays: [5, 6, 7] }, 'it')).toBe(
      'dal venerdì alla domenica, 10:00-12:00',
    );
    expect(formatOpeningHours({ hours, workingDays: [1, 3, 5] }, 'it')).toBe(
      'lunedì, mercoledì e venerdì, 10:00-12:00',
    );
    expect(formatOpeningHours({ hours, workingDays: [2, 4] }, 'en')).toBe(
      'Tuesday and Thursday, 10:00-12:00',
    );
  });

  it('tells days with hours of their own after the others (Wednesday off, Saturday morning)', () => {
    const week = {
      ...hoursOf('09:00-12:00,15:00-18:00'),
      workingDays: [1, 2, 4, 5, 6],
      weekdayHours: { 6: [{ start: '09:00', end: '12:00' }] },
    };
    expect(formatOpeningHours(week, 'it')).toBe(
      'lunedì, martedì, giovedì e venerdì, 9:00-12:00 e 15:00-18:00; sabato, 9:00-12:00',
    );
    expect(formatOpeningHours(week, 'en')).toBe(
      'Monday, Tuesday, Thursday and Friday, 9:00-12:00 and 15:00-18:00; Saturday, 9:00-12:00',
    );
  });

  it('puts the configured hours, not fixed ones, in the acknowledgement', () => {
    const data = {
      ticketNumber: 7,
      subject: 'Rete',
      hourlyRateCents: 3000,
      contractRate: false,
      vatPercent: 22,
      companyName: 'Officina PC',
      openingHours: hoursOf('08:30-13:00,14:00-17:30'),
    };
    const it = acknowledgement(data, 'it').text;
    expect(it).toContain('da remoto (dal lunedì al venerdì, 8:30-13:00 e 14:00-17:30).');
    expect(it).not.toContain('9:00');
    expect(acknowledgement(data, 'en').text).toContain(
      'remotely (Monday to Friday, 8:30-13:00 and 14:00-17:30).',
    );
  });
});
