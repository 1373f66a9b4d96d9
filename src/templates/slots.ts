import type { Locale } from './format.js';

/**
 * How a slot reads to the customer: `martedì 1 dicembre, 15:00–16:00` (Italian first) or
 * `Tuesday 1 December, 15:00–16:00`, in the business time zone.
 */
const formats = new Map<string, { day: Intl.DateTimeFormat; time: Intl.DateTimeFormat }>();

export function formatSlot(slot: { start: Date; end: Date }, locale: Locale, timeZone: string): string {
  const key = `${locale}|${timeZone}`;
  let format = formats.get(key);
  if (!format) {
    const tag = locale === 'it' ? 'it-IT' : 'en-GB';
    format = {
      day: new Intl.DateTimeFormat(tag, { timeZone, weekday: 'long', day: 'numeric', month: 'long' }),
      time: new Intl.DateTimeFormat(tag, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
    };
    formats.set(key, format);
  }
  return `${format.day.format(slot.start)}, ${format.time.format(slot.start)}–${format.time.format(slot.end)}`;
}

/** The numbered list of an offer, one slot a line: `1) martedì 1 dicembre, 15:00–16:00`. */
export function slotList(
  slots: ReadonlyArray<{ start: Date; end: Date }>,
  locale: Locale,
  timeZone: string,
): string {
  return slots.map((slot, i) => `${i + 1}) ${formatSlot(slot, locale, timeZone)}`).join('\n');
}
