import { eq } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { customers } from '../db/schema.js';
import { alertStaff } from './audit.js';
import type { CoreContext } from './core-context.js';
import { scheduleTimer, type TimerHandler } from './timers.js';

/**
 * T1: "the service is active within 48 hours" of registration. Clock hours, as the terms say, not
 * business hours: technicians are reminded at 24 h (ACTIVATION_REMINDER_HOURS) and alerted at 48 h
 * (ACTIVATION_DEADLINE_HOURS) while the account is still pending.
 */

const HOUR_MS = 3_600_000;

/** Schedules a pending registration's reminder and deadline. Inside the registration's transaction. */
export async function scheduleActivationTimers(
  ctx: CoreContext,
  tx: Tx,
  customerId: bigint,
  registeredAt: Date,
): Promise<void> {
  const hours = ctx.activation ?? { reminderHours: 24, deadlineHours: 48 };
  const at = (h: number) => new Date(registeredAt.getTime() + h * HOUR_MS);
  await scheduleTimer(ctx, tx, { kind: 'activation.reminder', customerId, dueAt: at(hours.reminderHours) });
  await scheduleTimer(ctx, tx, { kind: 'activation.deadline', customerId, dueAt: at(hours.deadlineHours) });
}

function activationTimer(last: boolean): TimerHandler {
  return async (ctx, tx, timer) => {
    if (!timer.customer_id) return { outcome: 'gone' };
    const [customer] = await tx.db
      .select({ id: customers.id, name: customers.name, status: customers.status })
      .from(customers)
      .where(eq(customers.id, BigInt(timer.customer_id)));
    if (!customer) return { outcome: 'gone' };
    if (customer.status !== 'pending') return { outcome: customer.status };
    const hours = ctx.activation ?? { reminderHours: 24, deadlineHours: 48 };
    await alertStaff(tx, {
      kind: last ? 'activation_overdue' : 'activation_reminder',
      text: last
        ? `🚨 Registrazione di «${customer.name}» (cliente ${customer.id}) non attivata entro ${hours.deadlineHours} ore (T1). / Registration not activated within ${hours.deadlineHours} h.`
        : `⏰ Registrazione di «${customer.name}» (cliente ${customer.id}) in attesa da ${hours.reminderHours} ore: attivarla entro ${hours.deadlineHours} (T1). / Registration pending for ${hours.reminderHours} h.`,
      data: { customerId: customer.id.toString() },
    });
    return { outcome: 'done' };
  };
}

export const activationReminder = activationTimer(false);
export const activationDeadline = activationTimer(true);
