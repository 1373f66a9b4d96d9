import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { customers, identities, webAccounts } from '../db/schema.js';
import { activationMessage, rejectionMessage } from '../templates/registration-messages.js';
import { audit } from './audit.js';
import type { IdentityKind } from './channel.js';
import type { CoreContext } from './core-context.js';
import { activateCustomerIn } from './customers.js';
import { ConflictError, NotFoundError } from './errors.js';
import { enqueueOutbound } from './outbound.js';

/**
 * Pending registrations decided by staff (T1: active within 48 hours, #25): list them with their
 * activation deadline, activate or reject; either way the customer is told (Italian, then English)
 * in their channel through the outbox, and the decision is audit-logged with the staff member.
 */

const HOUR_MS = 3_600_000;

export interface PendingRegistration {
  customerId: bigint;
  name: string;
  kind: string;
  /** The web account's contact and login, when registered on the portal. */
  contactName: string | null;
  email: string | null;
  registeredAt: Date;
  /** registeredAt + ACTIVATION_DEADLINE_HOURS (T1). */
  deadline: Date;
}

/** Pending customers, oldest first, with their activation deadline. */
export async function listPendingRegistrations(ctx: CoreContext): Promise<PendingRegistration[]> {
  const hours = ctx.activation?.deadlineHours ?? 48;
  const rows = await ctx.database.db
    .select({ customer: customers, account: webAccounts })
    .from(customers)
    .leftJoin(webAccounts, eq(webAccounts.customerId, customers.id))
    .where(eq(customers.status, 'pending'))
    .orderBy(asc(customers.createdAt), asc(customers.id));
  return rows.map(({ customer, account }) => ({
    customerId: customer.id,
    name: customer.name,
    kind: customer.kind,
    contactName: account?.contactName ?? null,
    email: account?.email ?? null,
    registeredAt: customer.createdAt,
    deadline: new Date(customer.createdAt.getTime() + hours * HOUR_MS),
  }));
}

/** Where to tell the customer: their email (web registrations), else Telegram, else Slack. */
async function customerChannel(tx: Tx, customerId: bigint) {
  const rows = await tx.db
    .select()
    .from(identities)
    .where(
      and(eq(identities.customerId, customerId), inArray(identities.kind, ['email', 'telegram', 'slack'])),
    )
    .orderBy(asc(identities.id));
  const order = ['email', 'telegram', 'slack'];
  return rows.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind))[0];
}

async function tell(
  ctx: CoreContext,
  tx: Tx,
  customerId: bigint,
  content: ReturnType<typeof activationMessage>,
): Promise<void> {
  const identity = await customerChannel(tx, customerId);
  if (!identity) return;
  await enqueueOutbound(ctx, tx, {
    channel: identity.kind as 'email' | 'telegram' | 'slack',
    recipient: {
      kind: identity.kind as IdentityKind,
      address: identity.address,
      displayName: identity.displayName ?? undefined,
    },
    automatic: false,
    content,
  });
}

async function contactName(tx: Tx, customer: typeof customers.$inferSelect): Promise<string> {
  const [account] = await tx.db
    .select({ contactName: webAccounts.contactName })
    .from(webAccounts)
    .where(eq(webAccounts.customerId, customer.id));
  return account?.contactName ?? customer.name;
}

/**
 * Activates a pending registration (T1) and tells the customer. `actor` names the staff member
 * (`staff:<email>`). A customer already active: nothing happens; a rejected one cannot be activated.
 */
export async function activateRegistration(
  ctx: CoreContext,
  customerId: bigint,
  actor: string,
): Promise<void> {
  await ctx.database.transaction(async (tx) => {
    // Locked first: a rejection at the same moment is seen, not overwritten.
    const [current] = await tx.db.select().from(customers).where(eq(customers.id, customerId)).for('update');
    if (!current) throw new NotFoundError('customer', customerId.toString());
    if (current.status !== 'pending' && current.status !== 'active')
      throw new ConflictError(`customer ${customerId} is ${current.status}, not pending`, {
        field: 'status',
      });
    const before = await activateCustomerIn(ctx, tx, customerId, actor);
    if (!before) return;
    await tell(
      ctx,
      tx,
      customerId,
      activationMessage({
        name: await contactName(tx, before),
        companyName: ctx.settings.companyName,
        portalUrl: ctx.settings.publicUrl,
      }),
    );
  });
  ctx.jobs.wake();
}

/**
 * Rejects a pending registration: the customer becomes `rejected` (treated like suspended: their
 * messages are kept as unmatched, the portal shows the status) and is told why. Only pending ones.
 */
export async function rejectRegistration(
  ctx: CoreContext,
  customerId: bigint,
  reason: string,
  actor: string,
): Promise<void> {
  const why = reason.trim();
  if (!why) throw new ConflictError('a reason is required', { field: 'reason' });
  await ctx.database.transaction(async (tx) => {
    const [customer] = await tx.db.select().from(customers).where(eq(customers.id, customerId)).for('update');
    if (!customer) throw new NotFoundError('customer', customerId.toString());
    if (customer.status !== 'pending')
      throw new ConflictError(`customer ${customerId} is ${customer.status}, not pending`, {
        field: 'status',
      });
    await tx.db.update(customers).set({ status: 'rejected' }).where(eq(customers.id, customerId));
    await tell(
      ctx,
      tx,
      customerId,
      rejectionMessage({
        name: await contactName(tx, customer),
        companyName: ctx.settings.companyName,
        reason: why,
      }),
    );
    await audit(tx, { actor, action: 'customer.rejected', customerId, data: { reason: why } });
  });
  ctx.jobs.wake();
}
