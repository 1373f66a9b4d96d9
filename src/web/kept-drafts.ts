import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, desc, eq, gt, isNull, lt, notInArray } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CoreContext } from '../core/core-context.js';
import { webDrafts } from '../db/schema.js';

/** How long a kept draft waits for its author to sign in again, in milliseconds. */
export const DRAFT_TTL_MS = 60 * 60_000;
/** Drafts kept at once, all browsers together; past it the oldest go first (a flood cannot fill the store). */
const MAX_DRAFTS = 1000;
/** Limits of what is kept: subject and text in characters, files named. */
const MAX_SUBJECT = 1000;
const MAX_TEXT = 100_000;
const MAX_FILE_NAMES = 5;

/** The cookie holding the browser's draft key and the tag of the customer who holds it. */
export const DRAFT_COOKIE = 'hd_draft';

/** What is kept of a post refused because its session had expired. */
export interface KeptDraft {
  /** The ticket replied to; undefined: a new ticket. */
  ticketNumber?: number;
  subject?: string;
  text: string;
  nonce?: string;
  /** Names of the files chosen with it (files are not kept). */
  filesLeftOut: string[];
}

/**
 * Whether a post comes from our own pages, as the browser says: `Sec-Fetch-Site: same-origin`, or,
 * from a browser that does not send it, an `Origin` naming this host. A forged cross-site post
 * never qualifies, so what it carries is neither kept nor offered to be sent again.
 */
export function fromOwnPages(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  const origin = request.headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host === request.host;
  } catch {
    return false;
  }
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * Drafts kept across a sign-in (docs/web-portal.md, "Refused posts"). A signed-in browser holds a
 * random key and an HMAC tag binding it to the customer ({@link claim}); a post refused for an
 * expired session is stored under the key's hash with that tag ({@link keep}), and after the next
 * sign-in comes back ({@link find}) only if the same customer signed in. Never logged.
 */
export function createDraftKeeper(
  core: CoreContext,
  secret: string,
  options: { secureCookies: boolean; sessionMaxAgeMs: number },
) {
  const db = core.database.db;
  const tagFor = (key: string, customerId: string) =>
    createHmac('sha256', secret)
      .update(`draft-owner\0${key}\0${customerId}`)
      .digest('base64url')
      .slice(0, 32);
  const cookieOf = (request: FastifyRequest) => {
    const [key, tag] = (request.cookies[DRAFT_COOKIE] ?? '').split('.');
    return key && /^[\w-]{22}$/.test(key)
      ? { key, tag: tag && /^[\w-]{32}$/.test(tag) ? tag : undefined }
      : undefined;
  };
  const sweep = () => db.delete(webDrafts).where(lt(webDrafts.expiresAt, core.now()));

  return {
    /**
     * Makes the browser's draft cookie name `customerId` (a new key if it has none): called on every
     * signed-in portal request and at sign-in. Cheap: an HMAC, and a cookie only when it changes.
     */
    claim(request: FastifyRequest, reply: FastifyReply, customerId: string): void {
      const key = cookieOf(request)?.key ?? randomBytes(16).toString('base64url');
      const value = `${key}.${tagFor(key, customerId)}`;
      if (request.cookies[DRAFT_COOKIE] === value) return;
      reply.setCookie(DRAFT_COOKIE, value, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: options.secureCookies,
        maxAge: Math.ceil((options.sessionMaxAgeMs + DRAFT_TTL_MS) / 1000),
      });
      request.cookies[DRAFT_COOKIE] = value;
    },

    /**
     * Keeps `draft` for the customer this browser last signed in as. False when the browser holds
     * no claimed key (then nothing is stored: the caller shows the text instead).
     */
    async keep(request: FastifyRequest, draft: KeptDraft): Promise<boolean> {
      const cookie = cookieOf(request);
      if (!cookie?.tag) return false;
      const now = core.now();
      const row = {
        ownerTag: cookie.tag,
        ticketNumber: draft.ticketNumber ?? null,
        subject: draft.subject?.slice(0, MAX_SUBJECT) ?? null,
        text: draft.text.slice(0, MAX_TEXT),
        nonce: draft.nonce?.slice(0, 40) ?? null,
        filesLeftOut: draft.filesLeftOut.slice(0, MAX_FILE_NAMES).map((name) => name.slice(0, 200)),
        createdAt: now,
        expiresAt: new Date(now.getTime() + DRAFT_TTL_MS),
      };
      await sweep();
      await db
        .insert(webDrafts)
        .values({ keyHash: sha256(cookie.key), ...row })
        .onConflictDoUpdate({ target: webDrafts.keyHash, set: row });
      const newest = db
        .select({ keyHash: webDrafts.keyHash })
        .from(webDrafts)
        .orderBy(desc(webDrafts.createdAt))
        .limit(MAX_DRAFTS);
      await db.delete(webDrafts).where(notInArray(webDrafts.keyHash, newest));
      return true;
    },

    /** The draft this browser keeps for `customerId`, if any and not expired. */
    async find(request: FastifyRequest, customerId: string): Promise<KeptDraft | undefined> {
      const cookie = cookieOf(request);
      if (!cookie) return undefined;
      const [row] = await db
        .select()
        .from(webDrafts)
        .where(and(eq(webDrafts.keyHash, sha256(cookie.key)), gt(webDrafts.expiresAt, core.now())));
      if (!row) return undefined;
      const expected = Buffer.from(tagFor(cookie.key, customerId));
      const stored = Buffer.from(row.ownerTag);
      if (stored.length !== expected.length || !timingSafeEqual(stored, expected)) return undefined;
      return {
        ticketNumber: row.ticketNumber ?? undefined,
        subject: row.subject ?? undefined,
        text: row.text,
        nonce: row.nonce ?? undefined,
        filesLeftOut: row.filesLeftOut,
      };
    },

    /** Forgets this browser's draft for the form of `ticketNumber` (undefined: a new ticket): it was sent. */
    async drop(request: FastifyRequest, ticketNumber?: number): Promise<void> {
      const cookie = cookieOf(request);
      if (!cookie) return;
      await db
        .delete(webDrafts)
        .where(
          and(
            eq(webDrafts.keyHash, sha256(cookie.key)),
            ticketNumber === undefined
              ? isNull(webDrafts.ticketNumber)
              : eq(webDrafts.ticketNumber, ticketNumber),
          ),
        );
    },
  };
}

export type DraftKeeper = ReturnType<typeof createDraftKeeper>;
