import { eq } from 'drizzle-orm';
import { type ContractView, getContract } from '../../core/billing/contracts.js';
import { listConsents } from '../../core/consent/consent-store.js';
import type { CoreContext } from '../../core/core-context.js';
import { type CustomerWithIdentities, listCustomers } from '../../core/customers.js';
import { termsAcceptancesOf } from '../../core/terms.js';
import { tickets, webAccounts } from '../../db/schema.js';
import { currentTerms } from '../accounts.js';

/** Everything the staff customer page (#25 item 3) shows about one customer. */
export interface CustomerDetail {
  customer: CustomerWithIdentities;
  /** The portal sign-in, when the customer has one. */
  account?: { email: string; contactName: string };
  /** The terms version in force now (the customer may have accepted an older one). */
  currentTermsVersion?: string;
  acceptances: Array<{ version: string; channel: string; acceptedAt: Date }>;
  contract: ContractView;
  /** Consent evidence, newest first. */
  consents: Array<{
    id: bigint;
    at: Date;
    ticketNumber: number | undefined;
    event: string;
    technician: string;
    channel: string;
    answerText: string | null;
    backupConfirmed: boolean;
    termsVersion: string | null;
  }>;
}

/** The customer's page data, or undefined when there is no such customer. */
export async function customerDetail(
  ctx: CoreContext,
  customerId: bigint,
): Promise<CustomerDetail | undefined> {
  const [customer] = await listCustomers(ctx, customerId);
  if (!customer) return undefined;
  const db = ctx.database.db;
  const [account] = await db
    .select({ email: webAccounts.email, contactName: webAccounts.contactName })
    .from(webAccounts)
    .where(eq(webAccounts.customerId, customerId));
  const acceptances = await termsAcceptancesOf(ctx, customerId);
  const contract = await getContract(ctx, { db, sql: ctx.database.sql }, customerId);
  const numbers = new Map(
    (
      await db
        .select({ id: tickets.id, number: tickets.number })
        .from(tickets)
        .where(eq(tickets.customerId, customerId))
    ).map((t) => [t.id.toString(), t.number]),
  );
  const consents = (await listConsents(db, { customerId }))
    .map((c) => ({
      id: c.id,
      at: c.at,
      ticketNumber: numbers.get(c.ticketId.toString()),
      event: c.event,
      technician: c.technician,
      channel: c.channel,
      answerText: c.answerText,
      backupConfirmed: c.backupConfirmed,
      termsVersion: c.termsVersion,
    }))
    .reverse();
  return {
    customer,
    account,
    currentTermsVersion: (await currentTerms(ctx))?.version,
    acceptances,
    contract,
    consents,
  };
}
