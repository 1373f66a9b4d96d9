import type { Tx } from '../db/database.js';
import { auditLog, staffAlerts } from '../db/schema.js';

/** Appends one entry to the audit log (never updated or deleted). */
export async function audit(
  tx: Tx,
  entry: { actor: string; action: string; ticketId?: bigint; customerId?: bigint; data?: unknown },
): Promise<void> {
  await tx.db.insert(auditLog).values({
    actor: entry.actor,
    action: entry.action,
    ticketId: entry.ticketId,
    customerId: entry.customerId,
    data: entry.data ?? null,
  });
}

/** Records something technicians must see; the Slack channel relays these when it is on. */
export async function alertStaff(
  tx: Tx,
  alert: { kind: string; text: string; ticketId?: bigint; data?: unknown },
): Promise<void> {
  await tx.db.insert(staffAlerts).values({
    kind: alert.kind,
    text: alert.text,
    ticketId: alert.ticketId,
    data: alert.data ?? null,
  });
}
