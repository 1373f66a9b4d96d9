import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Tx } from '../db/database.js';
import { customers, identities, tickets } from '../db/schema.js';
import { scheduleActivationTimers } from './activation.js';
import { audit } from './audit.js';
import type { IdentityKind } from './channel.js';
import type { CoreContext } from './core-context.js';
import { ConflictError, databaseErrorCode, NotFoundError } from './errors.js';
import { startFirstContactClock } from './first-contact.js';
import { OPEN_STATUSES } from './lifecycle.js';
import { normaliseAddress } from './threading.js';

export interface NewCustomer {
  name: string;
  kind?: 'person' | 'company';
  vatNumber?: string;
  taxCode?: string;
  phone?: string;
  locale?: 'it' | 'en';
  quickAccess?: boolean;
  acceptedTermsVersion?: string;
  hourlyRateCents?: number | null;
  status?: 'pending' | 'active';
  identities: Array<{ kind: IdentityKind; address: string; verified?: boolean; displayName?: string }>;
}

export type CustomerWithIdentities = typeof customers.$inferSelect & {
  identities: Array<typeof identities.$inferSelect>;
};

/** Creates a customer with its identities; an identity that already belongs to someone is a conflict. */
export async function createCustomer(
  ctx: CoreContext,
  input: NewCustomer,
  actor: string,
): Promise<CustomerWithIdentities> {
  return ctx.database.transaction(async (tx) => {
    const wanted = input.identities.map((i) => ({ ...i, address: normaliseAddress(i.kind, i.address) }));
    const seen = new Set<string>();
    for (const identity of wanted) {
      const key = `${identity.kind}:${identity.address}`;
      if (seen.has(key)) {
        throw new ConflictError(`${identity.kind} identity ${identity.address} is listed twice`, {
          field: 'identities',
        });
      }
      seen.add(key);
    }
    for (const identity of wanted) {
      const [taken] = await tx.db
        .select({ id: identities.id })
        .from(identities)
        .where(and(eq(identities.kind, identity.kind), eq(identities.address, identity.address)));
      if (taken) {
        throw new ConflictError(
          `${identity.kind} identity ${identity.address} already belongs to a customer`,
          {
            field: 'identities',
          },
        );
      }
    }
    const now = ctx.now();
    const [customer] = await tx.db
      .insert(customers)
      .values({
        name: input.name,
        kind: input.kind ?? 'person',
        vatNumber: input.vatNumber,
        taxCode: input.taxCode,
        phone: input.phone,
        locale: input.locale ?? ctx.settings.defaultLocale,
        quickAccess: input.quickAccess ?? false,
        acceptedTermsVersion: input.acceptedTermsVersion,
        hourlyRateCents: input.hourlyRateCents ?? null,
        status: input.status ?? 'pending',
        activatedAt: input.status === 'active' ? now : null,
      })
      .returning();
    const rows =
      wanted.length === 0
        ? []
        : await tx.db
            .insert(identities)
            .values(
              wanted.map((i) => ({
                customerId: customer!.id,
                kind: i.kind,
                address: i.address,
                displayName: i.displayName,
                verified: i.verified ?? true,
              })),
            )
            .returning()
            .catch((error: unknown) => {
              // Another request took one of these addresses between the check and the insert.
              if (databaseErrorCode(error) !== '23505') throw error;
              throw new ConflictError('an identity already belongs to a customer', { field: 'identities' });
            });
    if (customer!.status === 'pending') await scheduleActivationTimers(ctx, tx, customer!.id, now);
    await audit(tx, {
      actor,
      action: 'customer.created',
      customerId: customer!.id,
      data: { status: customer!.status },
    });
    return { ...customer!, identities: rows };
  });
}

/** Customers with their identities; all of them, or the one with `only` as id. */
export async function listCustomers(ctx: CoreContext, only?: bigint): Promise<CustomerWithIdentities[]> {
  const rows = await ctx.database.db
    .select()
    .from(customers)
    .where(only === undefined ? undefined : eq(customers.id, only))
    .orderBy(asc(customers.id));
  if (rows.length === 0) return [];
  const ids = await ctx.database.db
    .select()
    .from(identities)
    .where(
      inArray(
        identities.customerId,
        rows.map((c) => c.id),
      ),
    )
    .orderBy(asc(identities.id));
  return rows.map((c) => ({ ...c, identities: ids.filter((i) => i.customerId === c.id) }));
}

/**
 * Activates a pending customer (T1). The first-contact clock of tickets they opened while pending
 * starts now (T2: the later of ticket creation and activation).
 */
export async function activateCustomer(ctx: CoreContext, customerId: bigint, actor: string): Promise<void> {
  await ctx.database.transaction((tx) => activateCustomerIn(ctx, tx, customerId, actor));
}

/**
 * {@link activateCustomer} inside the caller's transaction; returns the customer as it was before,
 * or undefined when it was already active (nothing changed).
 */
export async function activateCustomerIn(
  ctx: CoreContext,
  tx: Tx,
  customerId: bigint,
  actor: string,
): Promise<typeof customers.$inferSelect | undefined> {
  const [customer] = await tx.db.select().from(customers).where(eq(customers.id, customerId)).for('update');
  if (!customer) throw new NotFoundError('customer', customerId.toString());
  if (customer.status === 'active') return undefined;
  const now = ctx.now();
  await tx.db
    .update(customers)
    .set({ status: 'active', activatedAt: now })
    .where(eq(customers.id, customerId));
  const waiting = await tx.db
    .select({ id: tickets.id })
    .from(tickets)
    .where(
      and(
        eq(tickets.customerId, customerId),
        isNull(tickets.firstContactDueAt),
        inArray(tickets.status, [...OPEN_STATUSES]),
      ),
    );
  for (const ticket of waiting) await startFirstContactClock(ctx, tx, ticket.id, now);
  await audit(tx, { actor, action: 'customer.activated', customerId, data: { from: customer.status } });
  return customer;
}
