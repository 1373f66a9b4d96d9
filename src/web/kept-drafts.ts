import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, desc, eq, gt, inArray, isNull, lt, notInArray } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CoreContext } from '../core/core-context.js';
import { webDrafts } from '../db/schema.js';
import type { DraftForm } from '../db/statuses.js';

/** How long a kept draft waits for its author to sign in again, in milliseconds. */
export const DRAFT_TTL_MS = 60 * 60_000;
/**
 * Drafts kept at once per kind of owner (customers, staff), all browsers together; past it the
 * oldest of that kind go first (a flood cannot fill the store, nor push out the other kind's).
 */
const MAX_DRAFTS = 1000;
/** Limits of what is kept: subject and text in characters, files named. */
const MAX_SUBJECT = 1000;
const MAX_TEXT = 100_000;
const MAX_FILE_NAMES = 5;

/** The cookie holding the browser's draft key and the tag of the customer who holds it. */
export const DRAFT_COOKIE = 'hd_draft';
/** The same for the staff dashboard (#25): a key of its own, bound to the staff account, path `/staff`. */
export const STAFF_DRAFT_COOKIE = 'hd_staff_draft';

/** Whose drafts a keeper holds: customers' (the portal) or staff members' (the dashboard). */
export type DraftOwner = 'customer' | 'staff';

/**
 * Per owner: the cookie, its path, the HMAC's domain (a customer id and a staff id are both
 * numbers: the domain keeps one from ever matching the other) and the forms it may hold.
 */
const OWNERS = {
  customer: { cookie: DRAFT_COOKIE, path: '/', domain: 'draft-owner', forms: ['portal'] },
  staff: {
    cookie: STAFF_DRAFT_COOKIE,
    path: '/staff',
    domain: 'staff-draft-owner',
    forms: ['staff_reply', 'staff_note'],
  },
} satisfies Record<DraftOwner, { cookie: string; path: string; domain: string; forms: DraftForm[] }>;

/** What is kept of a post refused because its session had expired. */
export interface KeptDraft {
  /** The ticket replied to; undefined: a new ticket. */
  ticketNumber?: number;
  subject?: string;
  text: string;
  nonce?: string;
  /** Names of the files chosen with it (files are not kept). */
  filesLeftOut: string[];
  /** The form it was written in; a customer's is always `portal`, a staff member's must be given. */
  form?: DraftForm;
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
 *
 * `owner: 'staff'` makes the staff dashboard's keeper (#25): its own cookie and key, tags bound to
 * the staff account id, and only staff forms: a customer's keeper never finds a staff draft, nor
 * the staff keeper a customer's (the form is checked, and the HMAC domains differ).
 */
export function createDraftKeeper(
  core: CoreContext,
  secret: string,
  options: { secureCookies: boolean; sessionMaxAgeMs: number },
  owner: DraftOwner = 'customer',
) {
  const db = core.database.db;
  const spec = OWNERS[owner];
  const forms: DraftForm[] = spec.forms;
  const tagFor = (key: string, ownerId: string) =>
    createHmac('sha256', secret)
      .update(`${spec.domain}\0${key}\0${ownerId}`)
      .digest('base64url')
      .slice(0, 32);
  const cookieOf = (request: FastifyRequest) => {
    const [key, tag] = (request.cookies[spec.cookie] ?? '').split('.');
    return key && /^[\w-]{22}$/.test(key)
      ? { key, tag: tag && /^[\w-]{32}$/.test(tag) ? tag : undefined }
      : undefined;
  };
  const sweep = () => db.delete(webDrafts).where(lt(webDrafts.expiresAt, core.now()));

  return {
    /**
     * Makes the browser's draft cookie name `ownerId` (the customer's or staff account's id; a new
     * key if it has none): called on every signed-in request and at sign-in. Cheap: an HMAC, and a
     * cookie only when it changes.
     */
    claim(request: FastifyRequest, reply: FastifyReply, ownerId: string): void {
      const key = cookieOf(request)?.key ?? randomBytes(16).toString('base64url');
      const value = `${key}.${tagFor(key, ownerId)}`;
      if (request.cookies[spec.cookie] === value) return;
      reply.setCookie(spec.cookie, value, {
        path: spec.path,
        httpOnly: true,
        sameSite: 'lax',
        secure: options.secureCookies,
        maxAge: Math.ceil((options.sessionMaxAgeMs + DRAFT_TTL_MS) / 1000),
      });
      request.cookies[spec.cookie] = value;
    },

    /**
     * Keeps `draft` for the owner this browser last signed in as. False when the browser holds
     * no claimed key (then nothing is stored: the caller shows the text instead).
     * @throws Error when `draft.form` is not one of this owner's forms (a programming error).
     */
    async keep(request: FastifyRequest, draft: KeptDraft): Promise<boolean> {
      const form = draft.form ?? forms[0]!;
      if (!forms.includes(form)) throw new Error(`a ${owner} draft cannot be of form ${form}`);
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
        form,
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
        .where(inArray(webDrafts.form, forms))
        .orderBy(desc(webDrafts.createdAt))
        .limit(MAX_DRAFTS);
      await db
        .delete(webDrafts)
        .where(and(inArray(webDrafts.form, forms), notInArray(webDrafts.keyHash, newest)));
      return true;
    },

    /** The draft this browser keeps for `ownerId`, if any, not expired and of this owner's forms. */
    async find(request: FastifyRequest, ownerId: string): Promise<KeptDraft | undefined> {
      const cookie = cookieOf(request);
      if (!cookie) return undefined;
      const [row] = await db
        .select()
        .from(webDrafts)
        .where(
          and(
            eq(webDrafts.keyHash, sha256(cookie.key)),
            gt(webDrafts.expiresAt, core.now()),
            inArray(webDrafts.form, forms),
          ),
        );
      if (!row) return undefined;
      const expected = Buffer.from(tagFor(cookie.key, ownerId));
      const stored = Buffer.from(row.ownerTag);
      if (stored.length !== expected.length || !timingSafeEqual(stored, expected)) return undefined;
      return {
        ticketNumber: row.ticketNumber ?? undefined,
        subject: row.subject ?? undefined,
        text: row.text,
        nonce: row.nonce ?? undefined,
        filesLeftOut: row.filesLeftOut,
        form: row.form,
      };
    },

    /**
     * Forgets this browser's draft for the form of `ticketNumber` (undefined: a new ticket): it was
     * sent. `form` narrows it to one of this owner's forms (a staff reply sent leaves a kept note).
     */
    async drop(request: FastifyRequest, ticketNumber?: number, form?: DraftForm): Promise<void> {
      const cookie = cookieOf(request);
      if (!cookie) return;
      await db
        .delete(webDrafts)
        .where(
          and(
            eq(webDrafts.keyHash, sha256(cookie.key)),
            inArray(webDrafts.form, form && forms.includes(form) ? [form] : forms),
            ticketNumber === undefined
              ? isNull(webDrafts.ticketNumber)
              : eq(webDrafts.ticketNumber, ticketNumber),
          ),
        );
    },
  };
}

export type DraftKeeper = ReturnType<typeof createDraftKeeper>;
