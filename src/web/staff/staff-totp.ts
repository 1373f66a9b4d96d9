import { createRequire } from 'node:module';
import { and, eq, isNotNull, isNull, lt, notLike, or } from 'drizzle-orm';
import { staffActor } from '../../core/actors.js';
import { audit } from '../../core/audit.js';
import { staffAccounts } from '../../db/schema.js';
import type { StaffStore } from './staff-accounts.js';
import { isSealed, type TotpSecretBox } from './totp-secret-box.js';

/**
 * TOTP second factor of staff accounts (RFC 6238 with otplib: SHA-1, 6 digits, 30 s steps, the
 * authenticator apps' defaults). A code is accepted one step early or late (clock drift) and only
 * once: the step it matched is stored and later codes must be of a newer step. Secrets are stored
 * encrypted (totp-secret-box.ts).
 */
const TOLERANCE_SECONDS = 30;

type Otplib = typeof import('otplib');
let otplibModule: Otplib | undefined;

/**
 * otplib (with @scure/base and @noble/hashes), required on first use: only staff enrolling or
 * signing in with a second factor need it, not an idle server (~0.8 MB of heap,
 * docs/performance.md#memory). Its CommonJS build, so the callers stay synchronous.
 */
function otplib(): Otplib {
  otplibModule ??= createRequire(import.meta.url)('otplib') as Otplib;
  return otplibModule;
}

/** A fresh base32 secret (20 random bytes = 160 bits, RFC 4226's recommendation). */
export const newTotpSecret = (): string => otplib().generateSecret();

/** The `otpauth://` URI authenticator apps read (shown as text and as a QR code). */
export function totpUri(ctx: StaffStore, email: string, secret: string): string {
  return otplib().generateURI({ issuer: ctx.settings.companyName, label: email, secret });
}

/**
 * The URI as an SVG QR code (the `qrcode` package, rendered here: no script, no request elsewhere;
 * imported on the first enrolment, ~1 MB of heap an idle server does not need).
 */
export async function totpQrSvg(uri: string): Promise<string> {
  const { default: QRCode } = await import('qrcode');
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** The time step `code` matches for `secret` at ctx.now(), or undefined. */
async function matchingStep(ctx: StaffStore, secret: string, code: string): Promise<number | undefined> {
  const token = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  const result = await otplib().verify({
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
 * The stored secret is opened with `box`; one still in clear (an earlier version wrote it) is
 * sealed in the same statement. A secret sealed with another key: SecretKeyError.
 */
export async function useTotpCode(
  ctx: StaffStore,
  box: TotpSecretBox,
  account: { id: bigint; totpSecret: string | null },
  code: string,
): Promise<boolean> {
  if (!account.totpSecret) return false;
  const secret = box.open(account.totpSecret, account.id);
  const step = await matchingStep(ctx, secret, code);
  if (step === undefined) return false;
  const sealed = isSealed(account.totpSecret) ? {} : { totpSecret: box.seal(secret, account.id) };
  const updated = await ctx.database.db
    .update(staffAccounts)
    .set({ totpLastStep: step, ...sealed })
    .where(
      and(
        eq(staffAccounts.id, account.id),
        // Still the secret the code was checked against (not turned off or replaced meanwhile).
        eq(staffAccounts.totpSecret, account.totpSecret),
        or(isNull(staffAccounts.totpLastStep), lt(staffAccounts.totpLastStep, step)),
      ),
    )
    .returning({ id: staffAccounts.id });
  return updated.length === 1;
}

/**
 * Turns the second factor on once the person proved their app has `secret` (a code of it);
 * false when the code is wrong. The secret is stored sealed with `box`.
 */
export async function enableTotp(
  ctx: StaffStore,
  box: TotpSecretBox,
  account: { id: bigint; email: string },
  secret: string,
  code: string,
): Promise<boolean> {
  const step = await matchingStep(ctx, secret, code);
  if (step === undefined) return false;
  await ctx.database.transaction(async (tx) => {
    await tx.db
      .update(staffAccounts)
      .set({ totpSecret: box.seal(secret, account.id), totpLastStep: step })
      .where(eq(staffAccounts.id, account.id));
    await audit(tx, { actor: staffActor(account.id), action: 'staff.totp_enabled' });
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
    await audit(tx, { actor: staffActor(account.id), action: 'staff.totp_disabled' });
  });
}

/**
 * Seals every TOTP secret still stored in clear (written before secrets were encrypted); run at
 * start, so an upgraded store holds none after its first start. Returns how many were sealed.
 */
export async function sealClearTotpSecrets(ctx: StaffStore, box: TotpSecretBox): Promise<number> {
  const rows = await ctx.database.db
    .select({ id: staffAccounts.id, totpSecret: staffAccounts.totpSecret })
    .from(staffAccounts)
    .where(and(isNotNull(staffAccounts.totpSecret), notLike(staffAccounts.totpSecret, 'v1.%')));
  for (const row of rows) {
    await ctx.database.db
      .update(staffAccounts)
      .set({ totpSecret: box.seal(row.totpSecret!, row.id) })
      .where(and(eq(staffAccounts.id, row.id), eq(staffAccounts.totpSecret, row.totpSecret!)));
  }
  return rows.length;
}
