/**
 * Monthly statements (issue #24): each customer with work in a month gets an email with the
 * month's totals and the CSV of their hours attached, through the outbox. Triggered by the API
 * (`POST /api/v1/reports/hours/statements`); a customer's statement of a month is sent once
 * unless `resend` is asked for (the audit log records each one; the check runs under a lock on
 * the customer's row, so two requests at the same time cannot both send).
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/database.js';
import { auditLog, customers, identities } from '../../db/schema.js';
import { toLocale } from '../../templates/format.js';
import { hoursStatement } from '../../templates/hours-statement.js';
import { alertStaff, audit } from '../audit.js';
import type { CoreContext } from '../core-context.js';
import { enqueueOutbound } from '../outbound.js';
import { hoursReport, hoursReportCsv } from './hours-report.js';

export interface StatementOutcome {
  customerId: string;
  status: 'queued' | 'already_sent' | 'no_email';
  deliveryId?: string;
}

/** Queues the statements of `month`; call `ctx.jobs.wake()` after the commit. */
export async function sendMonthlyStatements(
  ctx: CoreContext,
  tx: Tx,
  input: { month: string; customerId?: bigint; resend?: boolean; actor: string },
): Promise<StatementOutcome[]> {
  const report = await hoursReport(ctx, tx, input.month, input.customerId);
  const outcomes: StatementOutcome[] = [];
  for (const c of report.customers) {
    const customerId = BigInt(c.customerId);
    // The store decides "already sent": the customer's row is locked until this transaction
    // ends, so a second request at the same time waits, then reads this one's audit entry.
    await tx.db
      .select({ id: customers.id })
      .from(customers)
      .where(eq(customers.id, customerId))
      .for('update');
    if (!input.resend) {
      const [sent] = await tx.db
        .select({ id: auditLog.id })
        .from(auditLog)
        .where(
          and(
            eq(auditLog.action, 'statement.sent'),
            eq(auditLog.customerId, customerId),
            sql`${auditLog.data}->>'month' = ${input.month}`,
          ),
        )
        .limit(1);
      if (sent) {
        outcomes.push({ customerId: c.customerId, status: 'already_sent' });
        continue;
      }
    }
    const [email] = await tx.db
      .select()
      .from(identities)
      .where(
        and(
          eq(identities.customerId, customerId),
          eq(identities.kind, 'email'),
          eq(identities.verified, true),
        ),
      )
      .limit(1);
    if (!email) {
      await alertStaff(tx, {
        kind: 'statement_no_email',
        text: `Riepilogo ore ${input.month}: ${c.name} non ha un indirizzo email verificato, non inviato.`,
        data: { customerId: c.customerId, month: input.month },
      });
      outcomes.push({ customerId: c.customerId, status: 'no_email' });
      continue;
    }
    const [customer] = await tx.db.select().from(customers).where(eq(customers.id, customerId));
    const csv = hoursReportCsv({
      ...report,
      customers: [c],
      netCents: c.netCents,
      vatCents: c.vatCents,
      totalCents: c.totalCents,
    });
    const content = hoursStatement(
      {
        month: input.month,
        customer: c,
        vatPercent: report.vatPercent,
        companyName: ctx.settings.companyName,
      },
      toLocale(customer?.locale),
    );
    const queued = await enqueueOutbound(ctx, tx, {
      channel: 'email',
      recipient: { kind: 'email', address: email.address, displayName: c.name },
      automatic: false,
      content: {
        ...content,
        attachments: [
          {
            filename: `ore-${input.month}.csv`,
            contentType: 'text/csv; charset=utf-8',
            contentBase64: Buffer.from(csv, 'utf8').toString('base64'),
          },
        ],
      },
    });
    await audit(tx, {
      actor: input.actor,
      action: 'statement.sent',
      customerId,
      data: { month: input.month, deliveryId: queued.deliveryId.toString(), totalCents: c.totalCents },
    });
    outcomes.push({ customerId: c.customerId, status: 'queued', deliveryId: queued.deliveryId.toString() });
  }
  return outcomes;
}
