import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { instanceSettings } from '../db/schema.js';

/** The key of the generated API token's SHA-256 (hex) in `instance_settings`. */
export const API_TOKEN_HASH_KEY = 'api_token_sha256';

/** What the API checks a bearer token against: only the token's SHA-256 is kept. */
export interface ApiTokenCheck {
  /** True when `given` is the API token (constant time in its length). */
  matches(given: string): boolean;
  /** The token itself, when this start generated it (to write to the owner-only file). */
  generated?: string;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * The API token check. `API_TOKEN` when set (kept in memory only); otherwise a token generated at
 * first start, of which the store keeps only the SHA-256: a copy of the database or of its files
 * does not give API access. A 24-byte random token needs no slow hash (it cannot be guessed).
 */
export async function apiTokenCheck(database: Database, configured?: string): Promise<ApiTokenCheck> {
  let generated: string | undefined;
  let digest: Buffer;
  if (configured) {
    digest = sha256(configured);
  } else {
    const candidate = randomBytes(24).toString('base64url');
    const inserted = await database.db
      .insert(instanceSettings)
      .values({ key: API_TOKEN_HASH_KEY, value: sha256(candidate).toString('hex') })
      .onConflictDoNothing()
      .returning({ key: instanceSettings.key });
    if (inserted.length > 0) generated = candidate;
    const [row] = await database.db
      .select()
      .from(instanceSettings)
      .where(eq(instanceSettings.key, API_TOKEN_HASH_KEY));
    digest = Buffer.from(row!.value, 'hex');
  }
  return {
    generated,
    matches: (given) => timingSafeEqual(sha256(given), digest),
  };
}
