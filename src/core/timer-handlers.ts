import { activationDeadline, activationReminder } from './activation.js';
import { firstContactBreach, firstContactReminder } from './first-contact.js';
import type { TimerHandlers } from './timers.js';

/** What each kind of timer does when it fires (#23). */
export const TIMER_HANDLERS: TimerHandlers = {
  'first_contact.reminder_day': firstContactReminder,
  'first_contact.reminder_hours': firstContactReminder,
  'first_contact.breach': firstContactBreach,
  'activation.reminder': activationReminder,
  'activation.deadline': activationDeadline,
};
