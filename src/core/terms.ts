import { asc, count, desc, eq } from 'drizzle-orm';
import { customers, termsAcceptances, termsVersions } from '../db/schema.js';
import { audit } from './audit.js';
import type { CoreContext } from './core-context.js';
import { databaseErrorCode, InvalidSettingsError } from './errors.js';

/**
 * Terms of service versions (T9: the company may change its terms). The latest published is the
 * one customers accept now: the portal asks a signed-in customer who accepted an older one to
 * accept it at their next visit (src/web/routes-portal.tsx), and each acceptance is recorded.
 */

export interface TermsVersionView {
  id: string;
  version: string;
  locale: string;
  body: string;
  publishedAt: Date;
  /** Customers whose accepted version is this one. */
  customers: number;
  current: boolean;
}

const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$/;
/** Characters of a terms text, at most. */
export const MAX_TERMS_CHARS = 200_000;

/** Every terms acceptance of a customer (registration and later versions), oldest first. */
export async function termsAcceptancesOf(
  ctx: Pick<CoreContext, 'database'>,
  customerId: bigint,
): Promise<(typeof termsAcceptances.$inferSelect)[]> {
  return ctx.database.db
    .select()
    .from(termsAcceptances)
    .where(eq(termsAcceptances.customerId, customerId))
    .orderBy(asc(termsAcceptances.acceptedAt), asc(termsAcceptances.id));
}

/** Every published version, newest first, with how many customers accepted each. */
export async function listTermsVersions(ctx: CoreContext): Promise<TermsVersionView[]> {
  const rows = await ctx.database.db
    .select()
    .from(termsVersions)
    .orderBy(desc(termsVersions.publishedAt), desc(termsVersions.id));
  const counts = await ctx.database.db
    .select({ version: customers.acceptedTermsVersion, n: count() })
    .from(customers)
    .groupBy(customers.acceptedTermsVersion);
  const byVersion = new Map(counts.map((c) => [c.version, c.n]));
  return rows.map((row, i) => ({
    id: row.id.toString(),
    version: row.version,
    locale: row.locale,
    body: row.body,
    publishedAt: row.publishedAt,
    customers: byVersion.get(row.version) ?? 0,
    current: i === 0,
  }));
}

/**
 * Publishes a new terms version: from now on it is the current one, and customers are asked to
 * accept it (portal, next sign-in). Throws InvalidSettingsError naming the bad fields (a version
 * label already used, an empty text). Audit-logged with `actor`.
 */
export async function publishTermsVersion(
  ctx: CoreContext,
  input: { version: string; body: string; locale?: 'it' | 'en' },
  actor: string,
): Promise<TermsVersionView> {
  const version = input.version.trim();
  const body = input.body.replace(/\r\n/g, '\n').trim();
  const problems: Record<string, string> = {};
  if (!VERSION_PATTERN.test(version))
    problems.version = 'letters, digits, dots and dashes, at most 20 characters (e.g. 2 or 2027-01)';
  if (body === '') problems.body = 'the text of the terms cannot be empty';
  else if (body.length > MAX_TERMS_CHARS) problems.body = `at most ${MAX_TERMS_CHARS} characters`;
  if (Object.keys(problems).length === 0) {
    const [taken] = await ctx.database.db
      .select({ id: termsVersions.id })
      .from(termsVersions)
      .where(eq(termsVersions.version, version));
    if (taken) problems.version = `version ${version} is already published; choose a new label`;
  }
  if (Object.keys(problems).length > 0) throw new InvalidSettingsError(problems);
  await ctx.database
    .transaction(async (tx) => {
      await tx.db.insert(termsVersions).values({ version, body, locale: input.locale ?? 'it' });
      await audit(tx, {
        actor,
        action: 'terms.published',
        data: { version, locale: input.locale ?? 'it', chars: body.length },
      });
    })
    .catch((error: unknown) => {
      if (databaseErrorCode(error) === '23505')
        throw new InvalidSettingsError({ version: `version ${version} is already published` });
      throw error;
    });
  const [published] = await listTermsVersions(ctx);
  return published!;
}
