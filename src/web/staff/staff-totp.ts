import { and, eq, isNull, lt, or } from 'drizzle-orm';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import { audit } from '../../core/audit.js';
import { staffAccounts } from '../../db/schema.js';
import type { StaffStore } from './staff-accounts.js';

/**
 * TOTP second factor of staff accounts (RFC 6238 with otplib: SHA-1, 6 digits, 30 s steps, the
 * authenticator apps' defaults). A code is accepted one step early or late (clock drift) and only
 * once: the step it matched is stored and later codes must be of a newer step.
 */
const TOLERANCE_SECONDS = 30;

/** A fresh base32 secret (20 random bytes = 160 bits, RFC 4226's recommendation). */
export const newTotpSecret = (): string => generateSecret();

/** The `otpauth://` URI authenticator apps read (shown as text and as a QR code). */
export function totpUri(ctx: StaffStore, email: string, secret: string): string {
  return generateURI({ issuer: ctx.settings.companyName, label: email, secret });
}

/** The URI as an SVG QR code (the `qrcode` package, rendered here: no script, no request elsewhere). */
export function totpQrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** The time step `code` matches for `secret` at ctx.now(), or undefined. */
async function matchingStep(ctx: StaffStore, secret: string, code: string): Promise<number | undefined> {
  const token = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  const result = await verify({
    secret,
    token,
    epoch: Math.floor(ctx.now().getTime() / 1000),
    epochTolerance: TOLERANCE_SECONDS,
  });
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}

/**
 * Checks a code of an enrolled account and uses it up: the store accepts the step only when it is
 * newer than the last one used (one statement, so two requests with one code cannot both pass).
 */
export async function useTotpCode(
  ctx: StaffStore,
  account: { id: bigint; totpSecret: string | null },
  code: string,
): Promise<boolean> {
  if (!account.totpSecret) return false;
  const step = await matchingStep(ctx, account.totpSecret, code);
  if (step === undefined) return false;
  const updated = await ctx.database.db
    .update(staffAccounts)
    .set({ totpLastStep: step })
    .where(
      and(
        eq(staffAccounts.id, account.id),
        or(isNull(staffAccounts.totpLastStep), lt(staffAccounts.totpLastStep, step)),
      ),
    )
    .returning({ id: staffAccounts.id });
  return updated.length === 1;
}

/**
 * Turns the second factor on once the person proved their app has `secret` (a code of it);
 * false when the code is wrong.
 */
export async function enableTotp(
  ctx: StaffStore,
  account: { id: bigint; email: string },
  secret: string,
  code: string,
): Promise<boolean> {
  const step = await matchingStep(ctx, secret, code);
  if (step === undefined) return false;
  await ctx.database.transaction(async (tx) => {
    await tx.db
      .update(staffAccounts)
      .set({ totpSecret: secret, totpLastStep: step })
      .where(eq(staffAccounts.id, account.id));
    await audit(tx, { actor: `staff:${account.email}`, action: 'staff.totp_enabled' });
  });
  return true;
}

/** Turns the second factor off (the person's own choice, with a current code; never for a required admin). */
export async function disableTotp(ctx: StaffStore, account: { id: bigint; email: string }): Promise<void> {
  await ctx.database.transaction(async (tx) => {
    await tx.db
      .update(staffAccounts)
      .set({ totpSecret: null, totpLastStep: null })
      .where(eq(staffAccounts.id, account.id));
    await audit(tx, { actor: `staff:${account.email}`, action: 'staff.totp_disabled' });
  });
}
