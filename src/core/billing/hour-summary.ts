/**
 * Posting the hour summary (issue #24, PRODUCT.md "Resolving posts the hour summary"): to the
 * customer in their channel through the outbox (a reply like a technician's, so they can answer
 * it), and in the ticket's Slack thread (a staff alert of kind `hour_summary`, which the Slack
 * mirror posts in the thread). Inside the caller's transaction.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/database.js';
import { customers, staffAlerts } from '../../db/schema.js';
import { toLocale } from '../../templates/format.js';
import { type HourSummaryData, hourSummary } from '../../templates/hour-summary.js';
import { alertStaff } from '../audit.js';
import type { CoreContext } from '../core-context.js';
import { writeTechnicianMessage } from '../tickets.js';
import { type TicketSummaryData, ticketSummaryData } from './billing-store.js';

function summaryView(data: TicketSummaryData, final: boolean): HourSummaryData {
  return {
    ticketNumber: data.ticket.number,
    subject: data.ticket.subject,
    bill: data.bill,
    hasPrepaid: data.hasPrepaid,
    prepaidLeftMinutes: data.prepaidLeftMinutes,
    pendingCount: data.pending.length,
    final,
  };
}

/** The author shown on the summary message. */
export const SUMMARY_AUTHOR = 'Riepilogo ore';

/**
 * Renders the ticket's summary and posts it: in the Slack thread always, to the customer when
 * `toCustomer`. Returns the rendered Italian text (what Slack shows). Call `ctx.jobs.wake()`
 * after the commit. Throws NotFoundError for an unknown ticket.
 */
export async function postHourSummary(
  ctx: CoreContext,
  tx: Tx,
  input: { ticketNumber: number; final: boolean; toCustomer: boolean; actor: string },
): Promise<{ text: string; messageId?: bigint; deliveryId?: bigint }> {
  const data = await ticketSummaryData(ctx, tx, input.ticketNumber);
  const [customer] = await tx.db.select().from(customers).where(eq(customers.id, data.ticket.customerId));
  const view = summaryView(data, input.final);
  const staffText = hourSummary(view, 'it').text;
  await alertStaff(tx, {
    kind: 'hour_summary',
    ticketId: data.ticket.id,
    text: staffText,
    data: { netCents: data.bill.netCents, totalCents: data.bill.totalCents, toCustomer: input.toCustomer },
  });
  if (!input.toCustomer) return { text: staffText };
  const customerText = hourSummary(view, toLocale(customer?.locale)).text;
  const sent = await writeTechnicianMessage(ctx, tx, {
    ticketNumber: input.ticketNumber,
    author: SUMMARY_AUTHOR,
    text: customerText,
    internal: false,
    actor: input.actor,
  });
  return { text: staffText, ...sent };
}

/**
 * On resolve: the final summary, when any time was logged on the ticket, unless the last summary
 * the customer received is this same final one (a ticket reopened and resolved again with no
 * change in its time would otherwise send the customer the same bill twice).
 */
export async function postSummaryOnResolve(
  ctx: CoreContext,
  tx: Tx,
  ticketNumber: number,
  actor: string,
): Promise<void> {
  const data = await ticketSummaryData(ctx, tx, ticketNumber);
  if (data.bill.lines.length === 0 && data.pending.length === 0) return;
  const [last] = await tx.db
    .select({ text: staffAlerts.text })
    .from(staffAlerts)
    .where(
      and(
        eq(staffAlerts.kind, 'hour_summary'),
        eq(staffAlerts.ticketId, data.ticket.id),
        sql`(${staffAlerts.data}->>'toCustomer')::boolean`,
      ),
    )
    .orderBy(desc(staffAlerts.id))
    .limit(1);
  const finalText = hourSummary(summaryView(data, true), 'it').text;
  if (last?.text === finalText) return;
  await postHourSummary(ctx, tx, { ticketNumber, final: true, toCustomer: true, actor });
}
