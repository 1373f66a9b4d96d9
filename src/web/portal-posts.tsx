import type { MultipartFile } from '@fastify/multipart';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toInboundMessage } from '../channels/web/web-inbound.js';
import type { InboundAttachment } from '../core/channel.js';
import { type DraftKeeper, fromOwnPages } from './kept-drafts.js';
import { customerOverview, myTicket, ticketNumberOfMessage } from './portal-data.js';
import { MessagePage, SignInPage } from './views/auth-pages.js';
import type { PageContext } from './views/layout.js';
import { canPost, type Draft, refusalText } from './views/portal-forms.js';
import { field, newFormNonce, pageContext, sendPage, type WebDeps } from './web-ui.js';

/** Messages (new tickets and replies) one customer may post from the portal per minute. */
export const PORTAL_POSTS_PER_MINUTE = 10;

/** Limits of a portal post: subject in characters, text in characters (the form field is cut at 64 KiB). */
const MAX_SUBJECT = 200;
const MAX_TEXT = 100_000;

type Files = { files: InboundAttachment[]; tooLarge: boolean; any: boolean };

async function filesOf(body: unknown): Promise<Files> {
  const value = (body as Record<string, unknown> | undefined)?.attachments;
  const parts = (Array.isArray(value) ? value : value ? [value] : []) as MultipartFile[];
  const out: Files = { files: [], tooLarge: false, any: false };
  for (const part of parts) {
    if (part.type !== 'file' || !part.filename) continue; // an empty file input still sends a part
    out.any = true;
    const content = await part.toBuffer();
    // Over WEB_MAX_ATTACHMENT_BYTES: the parser stopped reading it (`throwFileSizeLimit: false`).
    if (part.file.truncated) out.tooLarge = true;
    out.files.push({ filename: part.filename, contentType: part.mimetype, size: content.length, content });
  }
  return out;
}

/** Names of the files chosen in a multipart body (read or not). */
function fileNamesOf(body: unknown): string[] {
  const value = (body as Record<string, unknown> | undefined)?.attachments;
  const parts = (Array.isArray(value) ? value : value ? [value] : []) as MultipartFile[];
  return parts.flatMap((part) => (part.type === 'file' && part.filename ? [part.filename] : []));
}

/** The paths of the portal's posts (a new ticket, a reply). */
const POST_ROUTES = new Set(['/portal/tickets', '/portal/tickets/:number/reply']);

/** Whether `request` is a post of a new ticket or a reply. */
export function isPortalPost(request: FastifyRequest): boolean {
  return request.method === 'POST' && POST_ROUTES.has(request.routeOptions.url ?? '');
}

/**
 * A portal post whose session had expired (not signed in): what the customer wrote is kept for
 * an hour under this browser's draft key and comes back in the form after the next sign-in
 * (kept-drafts.ts); the sign-in page says so, or, when this browser holds no key, shows the text
 * to copy. Files are not kept: the page names them. A post not from our own pages (a forged one)
 * only goes to the sign-in page.
 */
export async function expiredPost(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: WebDeps,
  drafts: DraftKeeper,
): Promise<FastifyReply> {
  const text = field(request.body, 'text') ?? '';
  const subject = field(request.body, 'subject');
  if (!isPortalPost(request) || !fromOwnPages(request) || !(text.trim() || subject?.trim())) {
    return reply.redirect('/signin', 303);
  }
  const ticketNumber = request.routeOptions.url === '/portal/tickets' ? undefined : ticketNumberOf(request);
  const filesLeftOut = fileNamesOf(request.body);
  const nonce = field(request.body, 'nonce');
  const kept = await drafts.keep(request, { ticketNumber, subject, text, nonce, filesLeftOut });
  const ctx = pageContext(request, reply, deps.settings);
  const unsent = [subject, text].filter(Boolean).join('\n\n');
  return sendPage(
    reply,
    <SignInPage ctx={ctx} expired={{ kept, text: kept ? undefined : unsent, filesLeftOut }} />,
    401,
  );
}

/** Whether the multipart parser cut a field at its `fieldSize` limit (busboy's `valueTruncated`). */
function truncated(body: unknown, name: string): boolean {
  const value = (body as Record<string, { valueTruncated?: boolean } | undefined> | undefined)?.[name];
  return Boolean(value && typeof value === 'object' && value.valueTruncated);
}

/** What the customer wrote, from whatever part of the form was read, with the reason it was refused. */
function draftOf(body: unknown, error: string, hadFiles = false): Draft {
  return { subject: field(body, 'subject'), text: field(body, 'text'), error, hadFiles };
}

/** The ticket number in the path, or 0 when it is not a plain number of at most 9 digits (`1e3`, `abc`). */
export function ticketNumberOf(request: FastifyRequest): number {
  const raw = (request.params as { number: string }).number;
  return /^\d{1,9}$/.test(raw) ? Number(raw) : 0;
}

export interface PostPages {
  ctxOf(request: FastifyRequest, reply: FastifyReply): PageContext;
  /** The page the form was on (the portal, or the ticket), with the refused draft and `status`. */
  refused(
    request: FastifyRequest,
    reply: FastifyReply,
    ticketNumber: number | undefined,
    draft: Draft,
    status: number,
  ): Promise<FastifyReply>;
}

/**
 * New tickets and replies from the portal: the web is a channel like the others (same ingest,
 * same acknowledgement). A post that cannot be taken (account not allowed to post, too long, a file
 * over the limit, too many posts) is refused with the reason on the form's own page, and what the
 * customer wrote is still in the form: nothing is dropped silently and nothing typed is lost.
 */
export function registerPortalPosts(
  portal: FastifyInstance,
  deps: WebDeps,
  pages: PostPages,
  drafts: DraftKeeper,
): void {
  const { core } = deps;
  const customerId = (request: FastifyRequest) => BigInt(request.session.customerId!);
  const rateLimit = {
    max: PORTAL_POSTS_PER_MINUTE,
    timeWindow: '1 minute',
    // After the body is read and the CSRF token checked: the refused page can show the draft.
    hook: 'preHandler' as const,
    keyGenerator: (request: FastifyRequest) => `portal-post:${request.session.customerId ?? request.ip}`,
  };
  const options = { preHandler: portal.csrfProtection, config: { rateLimit } };

  const post = async (request: FastifyRequest, reply: FastifyReply, ticketNumber?: number) => {
    const ctx = pages.ctxOf(request, reply);
    const text = field(request.body, 'text')?.trim() ?? '';
    const subject = field(request.body, 'subject')?.trim();
    if (
      ticketNumber !== undefined &&
      !(ticketNumber > 0 && (await myTicket(core, customerId(request), ticketNumber)))
    ) {
      return pages.refused(request, reply, ticketNumber, draftOf(request.body, ctx.t.notFound), 404);
    }
    const files = await filesOf(request.body);
    const overview = await customerOverview(core, customerId(request));
    const status = overview?.customer.status ?? 'suspended';
    // A suspended (or otherwise not active) account: refused, and told why (T1), never kept unseen.
    if (!canPost(status)) {
      const draft = draftOf(request.body, refusalText(ctx, status), files.any);
      return pages.refused(request, reply, ticketNumber, draft, 403);
    }
    if (files.tooLarge) {
      const draft = draftOf(request.body, tooLargeText(ctx, deps.settings.maxAttachmentBytes), true);
      return pages.refused(request, reply, ticketNumber, draft, 413);
    }
    // Never cut silently: a subject over 200 characters, or a text the form parser cut at its
    // 64 KiB field limit, is sent back with the reason (nothing is stored).
    if ((subject?.length ?? 0) > MAX_SUBJECT || truncated(request.body, 'text') || text.length > MAX_TEXT) {
      const draft = draftOf(request.body, ctx.t.messageTooLong, files.any);
      return pages.refused(request, reply, ticketNumber, draft, 400);
    }
    if (!text || (ticketNumber === undefined && !subject)) {
      return pages.refused(
        request,
        reply,
        ticketNumber,
        draftOf(request.body, ctx.t.required, files.any),
        400,
      );
    }
    const outcome = await deps.ingest(
      toInboundMessage({
        login: request.session.login!,
        formNonce: (field(request.body, 'nonce') ?? newFormNonce()).slice(0, 40),
        ticketNumber,
        subject,
        text,
        attachments: files.files,
        receivedAt: core.now(),
      }),
    );
    await drafts.drop(request, ticketNumber); // a draft kept across a sign-in is sent now
    const number =
      'ticketNumber' in outcome
        ? outcome.ticketNumber
        : outcome.status === 'duplicate'
          ? ((await ticketNumberOfMessage(core, customerId(request), outcome.messageId)) ?? ticketNumber)
          : ticketNumber;
    if (number === undefined) return reply.redirect('/portal', 303);
    return reply.redirect(`/portal/tickets/${number}?sent=1`, 303);
  };
  portal.post('/portal/tickets', options, (request, reply) => post(request, reply));
  portal.post('/portal/tickets/:number/reply', options, (request, reply) =>
    post(request, reply, ticketNumberOf(request)),
  );

  // Too many posts, too many files, a form over the parser's limits, a CSRF token that expired:
  // the same page with the draft (and a fresh token). Anything else goes on to the web pages'
  // error handler, as does a CSRF failure of a post not from our own pages.
  portal.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    const csrf = Boolean(error.code?.startsWith('FST_CSRF')) && fromOwnPages(request);
    if (!isPortalPost(request) || !request.session.customerId || !(csrf || status === 429 || status === 413))
      throw error;
    const ctx = pages.ctxOf(request, reply);
    const reason = csrf
      ? ctx.t.csrfRefused
      : status === 429
        ? ctx.t.tooMany
        : tooLargeText(ctx, deps.settings.maxAttachmentBytes);
    const number = request.routeOptions.url === '/portal/tickets' ? undefined : ticketNumberOf(request);
    const hadFiles = status === 413 || fileNamesOf(request.body).length > 0;
    return pages.refused(
      request,
      reply,
      number,
      draftOf(request.body, reason, hadFiles),
      csrf ? 403 : status,
    );
  });
}

function tooLargeText(ctx: PageContext, maxBytes: number): string {
  return `${ctx.t.tooLarge} ${Math.floor(maxBytes / 1024 / 1024)} MB.`;
}

/** A refused post whose page cannot be shown (the ticket is not the customer's): "not found". */
export function notFoundPage(ctx: PageContext) {
  return <MessagePage ctx={ctx} title={ctx.t.notFound} text={ctx.t.notFound} kind="error" />;
}
