/** Reading the staff ticket page's forms (#25): the slot length, and what was typed, to show again. */
import { field } from '../web-ui.js';
import { SLOT_MINUTES } from './ticket-texts.js';
import type { TicketDraft } from './ticket-view-page.js';

/**
 * A slot length as typed in the propose form: whole minutes, 15 to 180 in steps of 15; undefined
 * for anything else (refused with the field's message, never replaced by a default). A form
 * without the field (an older page) means the default hour.
 */
export function slotMinutesOf(raw: string | undefined): number | undefined {
  if (raw === undefined) return 60;
  const text = raw.trim();
  if (!/^\d{1,3}$/.test(text)) return undefined;
  const minutes = Number(text);
  const { min, max, step } = SLOT_MINUTES;
  return minutes >= min && minutes <= max && minutes % step === 0 ? minutes : undefined;
}

/** What the staff member typed in the form of `action`, to show again when it is refused. */
export function draftOf(action: string, body: unknown): TicketDraft | undefined {
  const text = (name: string) => field(body, name)?.slice(0, 20_000);
  switch (action) {
    case 'reply':
    case 'note':
      // Whole, up to what the form reader took (staff-text-posts.ts): a long reply comes back entire.
      return { [action]: field(body, 'text') };
    case 'propose':
      return { minutes: text('minutes')?.slice(0, 100) ?? '', slotKind: text('kind') };
    case 'time':
      return {
        duration: text('duration')?.slice(0, 100),
        timeKind: text('kind'),
        billable: field(body, 'billable') === 'yes',
        timeNote: text('note'),
      };
    default:
      return undefined;
  }
}
