/**
 * Customers' contracts (issue #24, T6 "unless a contract says otherwise"): the rate override
 * (`customers.hourly_rate_cents`, which the ticket card and the acknowledgement already show),
 * the rounding rule, the minimum charge, the surcharge outside business hours, prepaid packages.
 */
import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/database.js';
import { billingContracts, customers, prepaidPackages } from '../../db/schema.js';
import { audit } from '../audit.js';
import type { CoreContext } from '../core-context.js';
import { NotFoundError } from '../errors.js';
import { billingTermsFor, loadCustomerBilling, type PrepaidPackageRow } from './billing-store.js';
import type { RoundingRule } from './pricing.js';

export interface ContractInput {
  /** Cents per hour, VAT excluded; null: the default `HOURLY_RATE_CENTS`. */
  hourlyRateCents: number | null;
  rounding: RoundingRule;
  minimumMinutes: number;
  outOfHoursSurchargePercent: number;
}

export interface ContractView extends ContractInput {
  customerId: string;
  /** The rate the customer pays now (their own, or the default). */
  effectiveHourlyRateCents: number;
  prepaid: Array<{
    id: string;
    minutes: number;
    minutesLeft: number;
    validFrom: string;
    validUntil: string;
    note: string | null;
  }>;
}

async function customerRow(tx: Tx, customerId: bigint) {
  const [customer] = await tx.db.select().from(customers).where(eq(customers.id, customerId));
  if (!customer) throw new NotFoundError('customer', customerId.toString());
  return customer;
}

/** The customer's contract with each prepaid package and the minutes left in it. */
export async function getContract(ctx: CoreContext, tx: Tx, customerId: bigint): Promise<ContractView> {
  const customer = await customerRow(tx, customerId);
  const terms = await billingTermsFor(ctx, tx, customerId);
  const billing = await loadCustomerBilling(ctx, tx, customerId);
  const { prepaidLeft } = billing.price();
  return {
    customerId: customerId.toString(),
    hourlyRateCents: customer.hourlyRateCents,
    effectiveHourlyRateCents: terms.hourlyRateCents,
    rounding: terms.rounding,
    minimumMinutes: terms.minimumMinutes,
    outOfHoursSurchargePercent: terms.outOfHoursSurchargePercent,
    prepaid: billing.packages.map((p: PrepaidPackageRow) => ({
      id: p.id.toString(),
      minutes: p.minutes,
      minutesLeft: prepaidLeft.get(p.id.toString()) ?? p.minutes,
      validFrom: p.validFrom,
      validUntil: p.validUntil,
      note: p.note,
    })),
  };
}

/** Sets the customer's contract terms (the whole of them). Throws NotFoundError. */
export async function putContract(
  ctx: CoreContext,
  tx: Tx,
  customerId: bigint,
  input: ContractInput,
  actor: string,
): Promise<ContractView> {
  await customerRow(tx, customerId);
  await tx.db
    .update(customers)
    .set({ hourlyRateCents: input.hourlyRateCents })
    .where(eq(customers.id, customerId));
  const values = {
    roundingMode: input.rounding.mode,
    roundingMinutes: input.rounding.mode === 'block' ? input.rounding.minutes : null,
    roundingScope: input.rounding.mode === 'block' ? input.rounding.scope : 'ticket',
    minimumMinutes: input.minimumMinutes,
    outOfHoursSurchargePercent: input.outOfHoursSurchargePercent,
    updatedAt: ctx.now(),
  };
  await tx.db
    .insert(billingContracts)
    .values({ customerId, ...values })
    .onConflictDoUpdate({ target: billingContracts.customerId, set: values });
  await audit(tx, { actor, action: 'contract.updated', customerId, data: input });
  return getContract(ctx, tx, customerId);
}

/** Adds a prepaid package ("monte ore") of `minutes`, usable from `validFrom` to `validUntil`. */
export async function addPrepaidPackage(
  ctx: CoreContext,
  tx: Tx,
  customerId: bigint,
  input: { minutes: number; validFrom: string; validUntil: string; note?: string },
  actor: string,
): Promise<ContractView> {
  await customerRow(tx, customerId);
  await tx.db.insert(prepaidPackages).values({ customerId, ...input, createdAt: ctx.now() });
  await audit(tx, { actor, action: 'contract.prepaid_added', customerId, data: input });
  return getContract(ctx, tx, customerId);
}
