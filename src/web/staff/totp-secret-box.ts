import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SecretKeyError } from '../../core/errors.js';

/**
 * Staff TOTP secrets at rest (#25): AES-256-GCM with a key that is never in the database, so a
 * dump of the store alone reveals no second factor. The key is derived from `APP_SECRET` when the
 * configuration has one (HKDF-SHA256), otherwise it is 32 random bytes in `DATA_DIR/totp.key`,
 * created 0600 the first time a secret is sealed or opened. Each value is bound to its account
 * (the account id is the GCM associated data): copied onto another account it does not open.
 * Reasoning and recovery: docs/staff-totp.md.
 *
 * Stored form: `v1.<key id>.<iv>.<ciphertext>.<tag>` (base64url; the key id is 8 characters of an
 * HMAC of the key, so a value sealed with another key is told apart from a damaged one). A value
 * without the `v1.` prefix is a base32 secret written in clear by an earlier version.
 */

/** Where the key comes from (src/config.ts, the web channel's settings). */
export interface TotpKeySource {
  /** `APP_SECRET`: the key is derived from it. */
  appSecret?: string;
  /** `DATA_DIR/totp.key`: used without `APP_SECRET`; absent for an in-memory store (tests). */
  keyFile?: string;
}

const PREFIX = 'v1.';
const KEY_BYTES = 32;
const IV_BYTES = 12;

/** Whether a stored value is sealed (not a clear secret of an earlier version). */
export const isSealed = (stored: string): boolean => stored.startsWith(PREFIX);

const aad = (accountId: bigint | string) => Buffer.from(`staff_accounts.totp_secret:${accountId}`);

/** Reads the key file, or creates it (0600, its folder 0700) when it is not there yet. */
function fileKey(file: string): Buffer {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (statSync(file).mode & 0o077) chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== KEY_BYTES)
    throw new SecretKeyError(
      `${file} is not a TOTP key (expected 32 bytes in base64): restore it from a backup`,
      {
        file,
      },
    );
  return key;
}

export class TotpSecretBox {
  private key?: Buffer;
  private keyId?: string;

  constructor(private readonly source: TotpKeySource = {}) {}

  /** Where the key lives, for messages. */
  private where(): string {
    if (this.source.appSecret) return 'APP_SECRET';
    return this.source.keyFile ?? "this process's memory";
  }

  private ensureKey(): { key: Buffer; keyId: string } {
    if (!this.key) {
      if (this.source.appSecret) {
        const derived = hkdfSync(
          'sha256',
          this.source.appSecret,
          'helpdesk-bot',
          'staff TOTP secrets',
          KEY_BYTES,
        );
        this.key = Buffer.from(derived);
      } else if (this.source.keyFile) {
        this.key = fileKey(this.source.keyFile);
      } else {
        this.key = randomBytes(KEY_BYTES);
      }
      this.keyId = createHmac('sha256', this.key).update('key id').digest('base64url').slice(0, 8);
    }
    return { key: this.key, keyId: this.keyId! };
  }

  /** `secret` (base32) sealed for account `accountId`. */
  seal(secret: string, accountId: bigint | string): string {
    const { key, keyId } = this.ensureKey();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad(accountId));
    const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${PREFIX}${[keyId, iv, data, tag].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.')}`;
  }

  /**
   * The secret of a stored value of account `accountId`; a clear (earlier) value as it is. A value
   * sealed with another key, for another account or damaged: {@link SecretKeyError}.
   */
  open(stored: string, accountId: bigint | string): string {
    if (!isSealed(stored)) return stored;
    const { key, keyId } = this.ensureKey();
    const [id, iv, data, tag] = stored.slice(PREFIX.length).split('.');
    if (id !== keyId) {
      throw new SecretKeyError(
        `a staff TOTP secret was encrypted with another key than this process's (from ${this.where()}): set APP_SECRET back as it was, or restore DATA_DIR/totp.key (docs/staff-totp.md)`,
        { accountId: String(accountId) },
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv ?? '', 'base64url'))
        .setAAD(aad(accountId))
        .setAuthTag(Buffer.from(tag ?? '', 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(data ?? '', 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretKeyError(
        `the TOTP secret of staff account ${accountId} does not open: it was altered`,
        {
          accountId: String(accountId),
        },
      );
    }
  }
}
