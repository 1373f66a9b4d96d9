import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Database } from '../db/database.js';
import { instanceSettings } from '../db/schema.js';

/**
 * A secret from the settings when given, otherwise one generated at first start and kept in the
 * database, so reply tokens stay valid across restarts without any setup.
 */
export async function instanceSecret(database: Database, key: string, configured?: string): Promise<string> {
  if (configured) return configured;
  const generated = randomBytes(24).toString('base64url');
  await database.db.insert(instanceSettings).values({ key, value: generated }).onConflictDoNothing();
  const [row] = await database.db.select().from(instanceSettings).where(eq(instanceSettings.key, key));
  return row!.value;
}
