/**
 * A technician's reply or note never lost (#25, outside tester): a text over the limit comes back
 * in the staff form with the reason, and a post whose staff session expired is kept across the
 * sign-in (kept-drafts.ts, the staff keeper). docs/staff-tickets.md, "Long texts and expired sessions".
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DraftForm } from '../../db/statuses.js';
import { type DraftKeeper, fromOwnPages } from '../kept-drafts.js';
import { field, pageContext, sendPage, type WebDeps } from '../web-ui.js';
import { StaffSignInPage } from './staff-auth-pages.js';

/**
 * Characters a staff reply or note may have (after trimming). The same as a customer's portal post
 * and a kept draft, so a kept draft is never cut: every channel carries it (mail whole, Telegram
 * and Slack split it at paragraph boundaries into their message sizes), and the store keeps
 * inbound texts up to twice that. A longer reply is a document: attach it, or send it by mail.
 */
export const STAFF_TEXT_LIMIT = 100_000;

/**
 * Bytes of a reply or note form that are read (the rest of a larger body is dropped unread): room
 * for {@link STAFF_TEXT_LIMIT} characters urlencoded at their worst (3 UTF-8 bytes a UTF-16 unit,
 * each written `%XX`: 900,000 bytes) and the other fields. The web pages' own forms stop at 64 KiB.
 */
export const STAFF_FORM_BYTES = 1024 * 1024;

/** Form bodies cut at {@link STAFF_FORM_BYTES}: only their beginning was read. */
const cutBodies = new WeakSet<object>();

/** Whether the body of a reply or note form was cut at {@link STAFF_FORM_BYTES}. */
export const wasCut = (body: unknown): boolean =>
  typeof body === 'object' && body !== null && cutBodies.has(body);

/**
 * Replaces the urlencoded parser of `scope` (the reply and note routes only) with one that never
 * answers 413: it reads up to {@link STAFF_FORM_BYTES} and parses what it read, marking the body
 * as cut ({@link wasCut}), so the handler can give the text back with the reason. The form puts
 * the CSRF token before the text, so a cut body still carries it.
 */
export function readStaffTextForms(scope: FastifyInstance): void {
  scope.removeContentTypeParser('application/x-www-form-urlencoded');
  scope.addContentTypeParser('application/x-www-form-urlencoded', (_request, payload, done) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let finished = false;
    const finish = (cut: boolean) => {
      if (finished) return;
      finished = true;
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      let raw = Buffer.concat(chunks).subarray(0, STAFF_FORM_BYTES).toString('utf8');
      // A cut may fall inside a `%XX` escape or a multi-byte character: drop the broken end.
      if (cut) raw = raw.replace(/%[0-9a-f]?$/i, '').replace(/\uFFFD$/, '');
      const body: Record<string, string> = Object.create(null);
      for (const [name, value] of new URLSearchParams(raw)) body[name] = value;
      if (cut) cutBodies.add(body);
      done(null, body);
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(bytes);
      size += bytes.length;
      if (size > STAFF_FORM_BYTES) finish(true);
    };
    const onEnd = () => finish(false);
    payload.on('data', onData);
    payload.on('end', onEnd);
    payload.once('error', (error: Error) => {
      if (finished) return;
      finished = true;
      done(error, undefined);
    });
  });
}

/** The reply and note forms' routes, with the draft form each is kept as. */
const TEXT_POSTS: Record<string, DraftForm> = {
  '/staff/tickets/:number/reply': 'staff_reply',
  '/staff/tickets/:number/note': 'staff_note',
};

/** The draft form of a staff reply or note post, undefined for any other request. */
export function staffTextForm(request: FastifyRequest): DraftForm | undefined {
  return request.method === 'POST' ? TEXT_POSTS[request.routeOptions.url ?? ''] : undefined;
}

/**
 * A reply or note posted without a staff session (it expired, or the technician signed out in
 * another tab): the text is kept for an hour under this browser's staff draft key and comes back
 * on the ticket after the next sign-in; the sign-in page (401) says so, or, when the browser holds
 * no key, shows the text to copy. True when that page was sent; false when the post is not one to
 * keep (another form, empty, or not from our own pages: a forged cross-site post plants nothing),
 * and the caller redirects. (Not the reply itself: a reply is thenable, and awaiting it answers
 * undefined.)
 */
export async function expiredStaffPost(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: WebDeps,
  drafts: DraftKeeper,
): Promise<boolean> {
  const form = staffTextForm(request);
  const text = field(request.body, 'text') ?? '';
  const raw = (request.params as { number?: string }).number ?? '';
  if (!form || !/^\d{1,9}$/.test(raw) || !fromOwnPages(request) || !text.trim()) return false;
  const ticketNumber = Number(raw);
  const kept = await drafts.keep(request, { ticketNumber, text, filesLeftOut: [], form });
  const ctx = pageContext(request, reply, deps.settings);
  const page = (
    <StaffSignInPage
      {...ctx}
      next={`/staff/tickets/${ticketNumber}`}
      expired={{ kept, text: kept ? undefined : text }}
    />
  );
  sendPage(reply, page, 401);
  return true;
}
