import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import session from '@fastify/session';
import fastifyStatic from '@fastify/static';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import type { InboundMessage, IngestOutcome } from '../core/channel.js';
import type { CoreContext } from '../core/core-context.js';
import { errorSummary } from '../core/errors.js';
import { instanceSecret } from '../core/instance-secrets.js';
import { type Locale, toLocale } from '../templates/format.js';
import { ensureTermsPublished, type WebAccountSettings } from './accounts.js';
import { webAssetsDir } from './assets-dir.js';
import { messagesFor } from './i18n.js';
import { createDraftKeeper, fromOwnPages } from './kept-drafts.js';
import { registerAuthRoutes } from './routes-auth.js';
import { registerPortalRoutes } from './routes-portal.js';
import { databaseSessionStore } from './session-store.js';
import { registerStaffPages } from './staff/register-staff-pages.js';
import { StaffQueryRefused, StaffQueryRefusedPage } from './staff/staff-query.js';
import type { TotpKeySource, TotpSecretBox } from './staff/totp-secret-box.js';
import { MessagePage } from './views/auth-pages.js';
import { type PageContext, renderPage } from './views/layout.js';
import { isWrittenText, ResendPage, type ResentField } from './views/resend-page.js';

/** Settings of the web pages (README, settings table: WEB_*). */
export interface WebSettings extends WebAccountSettings {
  /** Cookies get `Secure` (PUBLIC_URL is https). */
  secureCookies: boolean;
  sessionMaxAgeMs: number;
  maxAttachmentBytes: number;
  defaultLocale: Locale;
  /** Admins must have the TOTP second factor (STAFF_REQUIRE_2FA, #25). */
  staffRequire2fa?: boolean;
  /** The key of staff TOTP secrets at rest: `APP_SECRET`, else `DATA_DIR/totp.key` (#25). */
  totpKey?: TotpKeySource;
}

/** What the pages need from the rest of the app; the staff dashboard (#25) adds its routes beside. */
export interface WebDeps {
  core: CoreContext;
  settings: WebSettings;
  /** The web channel's way into the core (same ingest as every channel). */
  ingest(message: InboundMessage): Promise<IngestOutcome>;
  /** A deep link proving a chat identity (Telegram), when that channel is on. */
  linkFor(kind: 'telegram', code: string): string | undefined;
  /** Whether a chat channel is on (the portal offers to link Slack only then); absent: none is. */
  chatOn?(kind: 'slack'): boolean;
  /** Seals and opens staff TOTP secrets (one per process: it holds the key once read). */
  totpBox: TotpSecretBox;
}

/** The page context of a request: language (`?lang=` then the `lang` cookie), CSRF token, who is signed in. */
export function pageContext(
  request: FastifyRequest,
  reply: FastifyReply,
  settings: Pick<WebSettings, 'defaultLocale' | 'secureCookies'>,
): PageContext {
  const query = request.query as { lang?: string } | undefined;
  let locale = toLocale(request.cookies.lang ?? settings.defaultLocale);
  if (query?.lang === 'it' || query?.lang === 'en') {
    locale = query.lang;
    reply.setCookie('lang', locale, {
      path: '/',
      sameSite: 'lax',
      maxAge: 365 * 86400,
      httpOnly: true,
      secure: settings.secureCookies,
    });
  }
  return {
    t: messagesFor(locale),
    csrfToken: reply.generateCsrf(),
    signedIn: Boolean(request.session.customerId),
    path: request.url,
  };
}

export function sendPage(reply: FastifyReply, page: VNode, status = 200): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(renderPage(page));
}

/** Reads a form field from a urlencoded body or a multipart one (`attachFieldsToBody`). */
export function field(body: unknown, name: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'value' in value && typeof value.value === 'string')
    return value.value;
  return undefined;
}

/** Fields never sent back in a page: the person types them again. */
const SECRET_FIELD = /password|totp|secret|^_csrf$/i;

/**
 * The text fields of a form body (urlencoded, or multipart with `attachFieldsToBody`), in order,
 * without secrets; and whether files were chosen.
 */
export function formFields(body: unknown): { fields: ResentField[]; hadFiles: boolean } {
  const fields: ResentField[] = [];
  let hadFiles = false;
  if (!body || typeof body !== 'object') return { fields, hadFiles };
  for (const [name, raw] of Object.entries(body as Record<string, unknown>)) {
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      const part = value as { type?: string; value?: unknown; filename?: string } | null;
      if (part && typeof part === 'object' && part.type === 'file') hadFiles ||= Boolean(part.filename);
      else if (SECRET_FIELD.test(name)) continue;
      else if (typeof value === 'string') fields.push({ name, value });
      else if (part && typeof part === 'object' && typeof part.value === 'string')
        fields.push({ name, value: part.value });
    }
  }
  return { fields, hadFiles };
}

/** The paths of the web pages (an unknown one gets our 404 page). */
const WEB_PATHS = /^\/(portal|register|signin|signout|password|terms|assets|staff)([/?]|$)/;

/** Files per portal message. */
const MAX_FILES = 5;

export const newFormNonce = () => randomBytes(12).toString('base64url');

/**
 * The web channel's pages on the app's server, in their own encapsulated scope: cookies, sessions
 * in the store, CSRF on every form (double-submit, signed cookie), helmet with a strict CSP (no
 * script at all, everything from this origin), form and multipart bodies, rate limits, the
 * stylesheet. Routes: registration and sign-in (`routes-auth.tsx`), the portal (`routes-portal.tsx`).
 */
export async function registerWebUi(server: FastifyInstance, deps: WebDeps): Promise<void> {
  await ensureTermsPublished(deps.core);
  const secret = await instanceSecret(deps.core.database, 'web_cookie_secret');
  await server.register(async (web) => {
    await web.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
        },
      },
      referrerPolicy: { policy: 'same-origin' },
      strictTransportSecurity: deps.settings.secureCookies,
    });
    await web.register(cookie, { secret });
    await web.register(session, {
      secret,
      cookieName: 'hd_session',
      store: databaseSessionStore(deps.core, deps.settings.sessionMaxAgeMs),
      saveUninitialized: false,
      rolling: false,
      cookie: {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.settings.secureCookies,
        maxAge: deps.settings.sessionMaxAgeMs,
      },
    });
    await web.register(csrf, {
      sessionPlugin: '@fastify/cookie',
      cookieKey: 'hd_csrf',
      cookieOpts: {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        signed: true,
        secure: deps.settings.secureCookies,
      },
      getToken: (request) =>
        field(request.body, '_csrf') ?? (request.headers['x-csrf-token'] as string | undefined),
    });
    await web.register(formbody, { bodyLimit: 64 * 1024 });
    await web.register(multipart, {
      attachFieldsToBody: true,
      // A file over the limit is cut and marked, not thrown: the portal then answers with the form
      // and what the customer wrote (portal-posts.tsx); too many files still throws a 413.
      throwFileSizeLimit: false,
      limits: {
        fileSize: deps.settings.maxAttachmentBytes,
        files: MAX_FILES,
        fields: 20,
        fieldSize: 64 * 1024,
      },
    });
    await web.register(rateLimit, { global: false });
    await web.register(fastifyStatic, {
      root: webAssetsDir(),
      prefix: '/assets/',
      allowedPath: (pathName) => pathName.endsWith('.css'),
      maxAge: '1h',
    });

    web.setErrorHandler((error: FastifyError, request, reply) => {
      const ctx = pageContext(request, reply, deps.settings);
      const status = error.statusCode ?? 500;
      if (error.code?.startsWith('FST_CSRF')) {
        // A form of ours whose token expired: what was written comes back, to send again (a
        // forged cross-site post gets only the message).
        const { fields, hadFiles } = formFields(request.body);
        if (request.method === 'POST' && fromOwnPages(request) && fields.some(isWrittenText)) {
          const multipart = request.headers['content-type']?.startsWith('multipart/') ?? false;
          const page = ResendPage({ ctx, action: request.url, multipart, fields, hadFiles });
          return sendPage(reply, page, 403);
        }
        return sendPage(reply, MessagePage({ ctx, title: ctx.t.csrf, text: ctx.t.csrf, kind: 'error' }), 403);
      }
      if (error instanceof StaffQueryRefused) {
        const page = StaffQueryRefusedPage({ ctx, staff: request.staff, fields: error.fields });
        return sendPage(reply, page, 400);
      }
      if (status === 429) {
        return sendPage(
          reply,
          MessagePage({ ctx, title: ctx.t.tooMany, text: ctx.t.tooMany, kind: 'error' }),
          429,
        );
      }
      if (status === 413) {
        // Multipart file over WEB_MAX_ATTACHMENT_BYTES, too many files, or a form body over 64 KiB.
        const limit = `${Math.floor(deps.settings.maxAttachmentBytes / 1024 / 1024)} MB`;
        const text = `${ctx.t.tooLarge} ${limit}.`;
        return sendPage(reply, MessagePage({ ctx, title: ctx.t.fixErrors, text, kind: 'error' }), 413);
      }
      if (status >= 400 && status < 500) {
        return sendPage(
          reply,
          MessagePage({ ctx, title: ctx.t.error, text: error.message, kind: 'error' }),
          status,
        );
      }
      request.log.error({ reason: errorSummary(error) }, 'web page failed');
      return sendPage(reply, MessagePage({ ctx, title: ctx.t.error, text: ctx.t.error, kind: 'error' }), 500);
    });

    // An unknown page under the web pages' paths: our page (language, CSP); elsewhere (the API,
    // webhooks) Fastify's own JSON answer, as before.
    web.setNotFoundHandler((request, reply) => {
      if (!WEB_PATHS.test(request.url))
        return reply.code(404).send({
          message: `Route ${request.method}:${request.url} not found`,
          error: 'Not Found',
          statusCode: 404,
        });
      const ctx = pageContext(request, reply, deps.settings);
      return sendPage(
        reply,
        MessagePage({ ctx, title: ctx.t.notFound, text: ctx.t.notFound, kind: 'error' }),
        404,
      );
    });

    const drafts = createDraftKeeper(deps.core, secret, deps.settings);
    registerAuthRoutes(web, deps, drafts);
    registerPortalRoutes(web, deps, drafts);
    await registerStaffPages(web, deps, createDraftKeeper(deps.core, secret, deps.settings, 'staff'));
  });
}
