import {
  addDays,
  type BusinessCalendarSettings,
  businessRangesOn,
  DEFAULT_BUSINESS_CALENDAR,
  instantToZoned,
} from './business-calendar.js';
import { addBusinessMinutes } from './business-time.js';

/**
 * Appointment slots to propose to a customer (T6: "slots are only proposed inside" the business
 * calendar; issue #23 item 4). Pure: the caller passes the clock's reading and what is taken.
 *
 * - A slot lies wholly inside one business range of a business day: never across the lunch break
 *   (11:30 for 60 minutes does not fit the morning; the next is 15:00).
 * - Starts are on a grid counted from each range's opening (09:00, 09:30, … and 15:00, 15:30, …),
 *   in local time, so afternoon slots stay at 15:00 across daylight-saving changes.
 * - Not before the minimum notice, counted in business minutes from `now` (120 minutes on Friday
 *   17:30 is Monday 10:30, not Friday 19:30).
 * - Not overlapping `busy` (the technician's appointments and slots offered to other customers),
 *   with `bufferMinutes` of travel kept free on both sides of an on-site slot.
 * - At most one slot per half-day (business range), so the customer gets a real choice.
 */

export interface Interval {
  start: Date;
  end: Date;
}

export interface SlotRequest {
  now: Date;
  /** How many slots, default 3. */
  count?: number;
  /** Length of the intervention in minutes, default 60. */
  durationMinutes?: number;
  /** Grid step in minutes from each opening, default 30. */
  gridMinutes?: number;
  /** Minimum notice in business minutes, default 120. */
  minNoticeBusinessMinutes?: number;
  /** Travel time kept free before and after (on-site interventions), minutes; default 0. */
  bufferMinutes?: number;
  /** Taken intervals, any order. */
  busy?: readonly Interval[];
  /** How far to look, in days, default 60. */
  horizonDays?: number;
}

const MINUTE_MS = 60_000;

/** The next free slots, earliest first, one per half-day; fewer (or none) if the horizon runs out. */
export function proposeSlots(
  request: SlotRequest,
  settings: BusinessCalendarSettings = DEFAULT_BUSINESS_CALENDAR,
): Interval[] {
  const count = request.count ?? 3;
  const duration = (request.durationMinutes ?? 60) * MINUTE_MS;
  const grid = (request.gridMinutes ?? 30) * MINUTE_MS;
  const buffer = (request.bufferMinutes ?? 0) * MINUTE_MS;
  if (!(duration > 0) || !(grid > 0) || buffer < 0 || !Number.isInteger(count) || count < 0) {
    throw new RangeError(
      'slot request: duration and grid must be positive, buffer ≥ 0, count a whole number',
    );
  }
  const earliest = addBusinessMinutes(
    request.now,
    request.minNoticeBusinessMinutes ?? 120,
    settings,
  ).getTime();
  const busy = (request.busy ?? []).map((b) => [b.start.getTime(), b.end.getTime()] as const);
  const free = (start: number, end: number) =>
    busy.every(([bs, be]) => end + buffer <= bs || start - buffer >= be);
  const slots: Interval[] = [];
  let date = instantToZoned(new Date(earliest), settings.timeZone).date;
  for (
    let day = 0;
    slots.length < count && day <= (request.horizonDays ?? 60);
    day++, date = addDays(date, 1)
  ) {
    for (const range of businessRangesOn(date, settings)) {
      if (slots.length >= count) break;
      const open = range.start.getTime();
      const close = range.end.getTime();
      for (let start = open; start + duration <= close; start += grid) {
        if (start < earliest || !free(start, start + duration)) continue;
        slots.push({ start: new Date(start), end: new Date(start + duration) });
        break; // one per half-day
      }
    }
  }
  return slots;
}
