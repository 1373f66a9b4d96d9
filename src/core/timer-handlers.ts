import { activationDeadline, activationReminder } from './activation.js';
import { appointmentReminder } from './appointment-reminders.js';
import { firstContactBreach, firstContactReminder } from './first-contact.js';
import type { TimerHandlers } from './timers.js';

/** What each kind of timer does when it fires (#23). */
export const TIMER_HANDLERS: TimerHandlers = {
  'first_contact.reminder_day': firstContactReminder,
  'first_contact.reminder_hours': firstContactReminder,
  'first_contact.breach': firstContactBreach,
  'activation.reminder': activationReminder,
  'activation.deadline': activationDeadline,
  'appointment.reminder_day': appointmentReminder,
  'appointment.reminder_hour': appointmentReminder,
};
