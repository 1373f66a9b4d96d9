/**
 * Ticket actions shared by every place technicians act from: Slack (card buttons, `/helpdesk`),
 * the staff pages (#25). Replies, notes and status changes are in tickets.ts.
 */
import { eq } from 'drizzle-orm';
import { tickets } from '../db/schema.js';
import { audit } from './audit.js';
import type { CoreContext } from './core-context.js';
import { getTicketByNumber } from './tickets.js';

/**
 * Assigns ticket `number` to the technician `name` (audited as `actor`); throws NotFoundError.
 * Returns the previous assignee.
 */
export async function assignTicket(
  core: CoreContext,
  number: number,
  name: string,
  actor: string,
): Promise<string | null> {
  return core.database.transaction(async (tx) => {
    const ticket = await getTicketByNumber(tx, number, { forUpdate: true });
    await tx.db
      .update(tickets)
      .set({ assignee: name, updatedAt: core.now() })
      .where(eq(tickets.id, ticket.id));
    await audit(tx, {
      actor,
      action: 'ticket.assigned',
      ticketId: ticket.id,
      data: { from: ticket.assignee, to: name },
    });
    return ticket.assignee;
  });
}
