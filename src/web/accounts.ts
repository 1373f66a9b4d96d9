import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { and, desc, eq, isNull, or, sql } from 'drizzle-orm';
import { scheduleActivationTimers } from '../core/activation.js';
import { alertStaff, audit } from '../core/audit.js';
import type { CoreContext } from '../core/core-context.js';
import { enqueueOutbound } from '../core/outbound.js';
import type { Tx } from '../db/database.js';
import {
  customers,
  identities,
  termsAcceptances,
  termsVersions,
  webAccounts,
  webSessions,
  webTokens,
} from '../db/schema.js';
import type { Locale, RenderedMessage } from '../templates/format.js';
import { alreadyRegisteredMail, resetPasswordMail, setPasswordMail } from '../templates/web-mails.js';
import { webAssetsDir } from './assets-dir.js';
import { hashPassword } from './passwords.js';

/** How long the mailed links work (hours). Set-password: a day; reset: one hour (OWASP). */
export const SET_PASSWORD_HOURS = 24;
export const RESET_PASSWORD_HOURS = 1;

/** A registration repeated within this time (ms) of the first, before any password, is the same one. */
const RESUBMIT_WINDOW_MS = 10 * 60_000;

export interface WebAccountSettings {
  /** Failed sign-ins in a row before the account is locked. */
  signInAttempts: number;
  /** Lock-out length, ms. */
  lockoutMs: number;
}

export interface Registration {
  kind: 'company' | 'person';
  name: string;
  vatNumber?: string;
  taxCode?: string;
  contactName: string;
  email: string;
  phone: string;
  telegramUsername?: string;
  termsVersion: string;
  quickAccess: boolean;
  locale: Locale;
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');

/** The terms version customers accept now (T9): the latest published. */
export async function currentTerms(ctx: CoreContext) {
  const [row] = await ctx.database.db
    .select()
    .from(termsVersions)
    .orderBy(desc(termsVersions.publishedAt), desc(termsVersions.id))
    .limit(1);
  return row;
}

/** A fresh store has no terms: version `1` is the shop's Italian terms shipped with the app. */
export async function ensureTermsPublished(ctx: CoreContext): Promise<void> {
  if (await currentTerms(ctx)) return;
  const body = readFileSync(path.join(webAssetsDir(), 'terms-1.it.txt'), 'utf8');
  await ctx.database.db
    .insert(termsVersions)
    .values({ version: '1', locale: 'it', body })
    .onConflictDoNothing();
}

async function issueToken(
  ctx: CoreContext,
  tx: Tx,
  accountId: bigint,
  purpose: 'set_password' | 'reset_password',
  hours: number,
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await tx.db.insert(webTokens).values({
    tokenHash: tokenHash(token),
    accountId,
    purpose,
    expiresAt: new Date(ctx.now().getTime() + hours * 3600_000),
  });
  return token;
}

async function mail(
  ctx: CoreContext,
  tx: Tx,
  address: string,
  content: RenderedMessage,
  purpose: 'link' | 'password_reset' | 'known_address' = 'link',
): Promise<void> {
  // Each purpose has its own hourly budget per address: the forms cannot be used to mail-bomb
  // someone, and "already registered" notices (anyone can trigger them) cannot use up the owner's
  // password resets.
  await enqueueOutbound(ctx, tx, {
    channel: 'email',
    recipient: { kind: 'email', address },
    automatic: true,
    purpose,
    content,
  });
}

const linkTo = (ctx: CoreContext, token: string) =>
  `${ctx.settings.publicUrl.replace(/\/$/, '')}/password?token=${encodeURIComponent(token)}`;

/**
 * Registers a customer (T1): a `pending` customer, its unverified email and web identities, the
 * accepted terms version, a single-use set-password link by mail and a staff alert. An address that
 * already belongs to someone gets a mail to its owner instead, and the caller answers exactly as
 * for a new one (no account enumeration).
 */
export async function register(ctx: CoreContext, input: Registration): Promise<void> {
  const email = input.email.trim().toLowerCase();
  await ctx.database.transaction(async (tx) => {
    const [existing] = await tx.db
      .select({ id: identities.id, customerId: identities.customerId })
      .from(identities)
      .where(
        or(
          and(eq(identities.kind, 'email'), eq(identities.address, email)),
          and(eq(identities.kind, 'web'), eq(identities.address, email)),
        ),
      )
      .limit(1);
    if (existing) {
      const [owner] = await tx.db.select().from(customers).where(eq(customers.id, existing.customerId));
      let [account] = await tx.db.select().from(webAccounts).where(eq(webAccounts.email, email));
      account ??= (
        await tx.db
          .insert(webAccounts)
          .values({ customerId: existing.customerId, email, contactName: owner!.name })
          .onConflictDoNothing()
          .returning()
      )[0];
      if (!account) return;
      // The same form sent twice (double click, back and resend: same names, minutes apart, no
      // password yet): the first set-password mail is on its way, no "already registered" mail follows.
      // Any other registration of a known address mails its owner (issue #22).
      const resubmitted =
        !account.passwordHash &&
        account.createdAt.getTime() > ctx.now().getTime() - RESUBMIT_WINDOW_MS &&
        owner!.name === input.name &&
        account.contactName === input.contactName;
      if (resubmitted) return;
      const token = await issueToken(ctx, tx, account.id, 'reset_password', SET_PASSWORD_HOURS);
      const locale = owner!.locale === 'en' ? 'en' : 'it';
      await mail(
        ctx,
        tx,
        email,
        alreadyRegisteredMail(
          { companyName: ctx.settings.companyName, link: linkTo(ctx, token), validHours: SET_PASSWORD_HOURS },
          locale,
        ),
        'known_address',
      );
      await audit(tx, {
        actor: 'web',
        action: 'registration.known_address',
        customerId: existing.customerId,
      });
      return;
    }
    const now = ctx.now();
    const [customer] = await tx.db
      .insert(customers)
      .values({
        kind: input.kind,
        name: input.name,
        vatNumber: input.vatNumber,
        taxCode: input.taxCode,
        phone: input.phone,
        locale: input.locale,
        quickAccess: input.quickAccess,
        acceptedTermsVersion: input.termsVersion,
        status: 'pending',
      })
      .returning();
    // T1: active within 48 hours; the technicians are reminded at 24 h and alerted at 48 h.
    await scheduleActivationTimers(ctx, tx, customer!.id, now);
    await tx.db.insert(identities).values([
      {
        customerId: customer!.id,
        kind: 'email',
        address: email,
        displayName: input.contactName,
        verified: false,
      },
      {
        customerId: customer!.id,
        kind: 'web',
        address: email,
        displayName: input.contactName,
        verified: false,
      },
    ]);
    const [account] = await tx.db
      .insert(webAccounts)
      .values({
        customerId: customer!.id,
        email,
        contactName: input.contactName,
        telegramUsername: input.telegramUsername,
        privacyAcceptedAt: now,
        createdAt: now,
      })
      .returning();
    await tx.db
      .insert(termsAcceptances)
      .values({ customerId: customer!.id, version: input.termsVersion, channel: 'web', acceptedAt: now });
    const token = await issueToken(ctx, tx, account!.id, 'set_password', SET_PASSWORD_HOURS);
    await mail(
      ctx,
      tx,
      email,
      setPasswordMail(
        {
          name: input.contactName,
          companyName: ctx.settings.companyName,
          link: linkTo(ctx, token),
          validHours: SET_PASSWORD_HOURS,
        },
        input.locale,
      ),
    );
    await audit(tx, {
      actor: `web:${email}`,
      action: 'customer.registered',
      customerId: customer!.id,
      data: { termsVersion: input.termsVersion, quickAccess: input.quickAccess },
    });
    // Slack relays staff alerts; the dashboard (#25) lists pending customers to activate (T1: 48 h).
    await alertStaff(tx, {
      kind: 'registration',
      text: `New registration to activate within 48 hours: ${input.name} (${input.kind}), ${input.contactName} <${email}>`,
      data: { customerId: customer!.id.toString() },
    });
  });
  ctx.jobs.wake();
}

/** The account a mailed link belongs to, when the link is still good (unused, unexpired). */
export async function accountForToken(ctx: CoreContext, token: string) {
  const [row] = await ctx.database.db
    .select({ account: webAccounts, expiresAt: webTokens.expiresAt })
    .from(webTokens)
    .innerJoin(webAccounts, eq(webAccounts.id, webTokens.accountId))
    .where(and(eq(webTokens.tokenHash, tokenHash(token)), isNull(webTokens.usedAt)));
  if (!row || row.expiresAt.getTime() <= ctx.now().getTime()) return undefined;
  return row.account;
}

/**
 * Uses a set/reset link once: stores the new password, proves the address (the customer's email and
 * web identities become verified) and lifts a lock-out. Returns the account, or undefined for a
 * used, expired or unknown link.
 */
export async function setPassword(ctx: CoreContext, token: string, password: string) {
  const hash = await hashPassword(password);
  return ctx.database.transaction(async (tx) => {
    const now = ctx.now();
    const [used] = await tx.db
      .update(webTokens)
      .set({ usedAt: now })
      .where(and(eq(webTokens.tokenHash, tokenHash(token)), isNull(webTokens.usedAt)))
      .returning();
    if (!used || used.expiresAt.getTime() <= now.getTime()) return undefined;
    const [account] = await tx.db
      .update(webAccounts)
      .set({ passwordHash: hash, passwordSetAt: now, failedSignIns: 0, lockedUntil: null })
      .where(eq(webAccounts.id, used.accountId))
      .returning();
    // A new password ends what the old one allowed (OWASP, forgot password): the other links
    // mailed before, and every session signed in (someone who knew the old password is out).
    await tx.db
      .update(webTokens)
      .set({ usedAt: now })
      .where(and(eq(webTokens.accountId, used.accountId), isNull(webTokens.usedAt)));
    await tx.db
      .delete(webSessions)
      .where(sql`${webSessions.data}->>'customerId' = ${account!.customerId.toString()}`);
    // The customer may have had only an email identity (created by staff): add the web one.
    await tx.db
      .insert(identities)
      .values({ customerId: account!.customerId, kind: 'web', address: account!.email, verified: true })
      .onConflictDoNothing();
    await tx.db
      .update(identities)
      .set({ verified: true })
      .where(and(eq(identities.customerId, account!.customerId), eq(identities.address, account!.email)));
    await audit(tx, {
      actor: `web:${account!.email}`,
      action: `account.${used.purpose}`,
      customerId: account!.customerId,
    });
    return account!;
  });
}

/** Mails a reset link when the address has an account; the caller answers the same either way. */
export async function requestPasswordReset(ctx: CoreContext, emailInput: string): Promise<void> {
  const email = emailInput.trim().toLowerCase();
  await ctx.database.transaction(async (tx) => {
    const [row] = await tx.db
      .select({ account: webAccounts, locale: customers.locale })
      .from(webAccounts)
      .innerJoin(customers, eq(customers.id, webAccounts.customerId))
      .where(eq(webAccounts.email, email));
    if (!row) return;
    const token = await issueToken(ctx, tx, row.account.id, 'reset_password', RESET_PASSWORD_HOURS);
    await mail(
      ctx,
      tx,
      email,
      resetPasswordMail(
        { companyName: ctx.settings.companyName, link: linkTo(ctx, token), validHours: RESET_PASSWORD_HOURS },
        row.locale === 'en' ? 'en' : 'it',
      ),
      'password_reset',
    );
  });
  ctx.jobs.wake();
}

/** Records that the customer accepted `version` (a new terms version shown at sign-in, T9). */
export async function acceptTerms(ctx: CoreContext, customerId: bigint, version: string): Promise<void> {
  await ctx.database.transaction(async (tx) => {
    await tx.db.update(customers).set({ acceptedTermsVersion: version }).where(eq(customers.id, customerId));
    await tx.db
      .insert(termsAcceptances)
      .values({ customerId, version, channel: 'web', acceptedAt: ctx.now() });
    await audit(tx, { actor: 'web', action: 'terms.accepted', customerId, data: { version } });
  });
}
