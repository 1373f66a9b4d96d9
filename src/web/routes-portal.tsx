import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createLinkCode } from '../core/chat-operations.js';
import { storedValuePieces, storedValueSize } from '../db/sql/stored-values.js';
import { currentTerms } from './accounts.js';
import { exportMyData } from './data-export.js';
import type { DraftKeeper, KeptDraft } from './kept-drafts.js';
import {
  customerOverview,
  myAppointments,
  myAttachment,
  myConsents,
  myHourSummaries,
  myTicket,
  myTickets,
  requestErasure,
  setQuickAccess,
} from './portal-data.js';
import { expiredPost, notFoundPage, registerPortalPosts, ticketNumberOf } from './portal-posts.js';
import { AccountPage } from './views/account-page.js';
import { canPost, type Draft } from './views/portal-forms.js';
import { PortalPage, TicketPage } from './views/portal-pages.js';
import { field, newFormNonce, pageContext, sendPage, type WebDeps } from './web-ui.js';

/**
 * `Content-Disposition: attachment` with a plain ASCII `filename=` (for old clients: anything
 * outside printable ASCII, quotes and backslashes become `_`) and the exact name in `filename*=`
 * (RFC 6266, RFC 8187).
 */
export function attachmentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/** The portal (customer side of the web channel): tickets, new ticket and replies, account, data. */
export function registerPortalRoutes(web: FastifyInstance, deps: WebDeps, drafts: DraftKeeper): void {
  const { core, settings } = deps;
  const customerId = (request: FastifyRequest) => BigInt(request.session.customerId!);
  // Read once per request by the sign-in check, then used by the page.
  const overviews = new WeakMap<FastifyRequest, NonNullable<Awaited<ReturnType<typeof customerOverview>>>>();
  const overviewOf = async (request: FastifyRequest) =>
    overviews.get(request) ?? (await customerOverview(core, customerId(request)))!;

  web.register(async (portal) => {
    // Signed in, and the current terms accepted (T9: a new version is shown at the next visit).
    portal.addHook('preHandler', async (request, reply) => {
      // A new ticket or reply whose session expired keeps its text for after the sign-in.
      if (!request.session.customerId) return expiredPost(request, reply, deps, drafts);
      const overview = await customerOverview(core, customerId(request));
      if (!overview) {
        await request.session.destroy();
        return reply.redirect('/signin', 303);
      }
      overviews.set(request, overview);
      drafts.claim(request, reply, request.session.customerId);
      const terms = await currentTerms(core);
      if (terms && overview.customer.acceptedTermsVersion !== terms.version)
        return reply.redirect('/terms/accept', 303);
    });
    const csrf = { preHandler: portal.csrfProtection };
    const ctxOf = (request: FastifyRequest, reply: FastifyReply) => pageContext(request, reply, settings);
    /** The draft kept for this form across a sign-in (session expired), shown back until sent. */
    const restored = async (request: FastifyRequest, ticketNumber?: number) => {
      const kept = await drafts.find(request, request.session.customerId!);
      return kept && kept.ticketNumber === ticketNumber ? kept : undefined;
    };
    const restoredDraft = (kept: KeptDraft): Draft => ({
      subject: kept.subject,
      text: kept.text,
      error: '',
      restored: true,
      filesLeftOut: kept.filesLeftOut,
    });

    const portalPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      refused?: Draft,
      status = 200,
    ) => {
      const ctx = ctxOf(request, reply);
      const kept = refused ? undefined : await restored(request);
      const draft = refused ?? (kept && restoredDraft(kept));
      const tickets = await myTickets(core, customerId(request));
      const appointments = await myAppointments(core, customerId(request));
      const hourSummaries = await myHourSummaries(
        core,
        customerId(request),
        ctx.t.lang === 'en' ? 'en' : 'it',
      );
      return sendPage(
        reply,
        <PortalPage
          ctx={ctx}
          overview={await overviewOf(request)}
          tickets={tickets}
          appointments={appointments}
          hourSummaries={hourSummaries}
          nonce={kept?.nonce ?? (refused ? (field(request.body, 'nonce') ?? newFormNonce()) : newFormNonce())}
          draft={draft}
        />,
        status,
      );
    };
    portal.get('/portal', (request, reply) => portalPage(request, reply));

    const ticketPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      number: number,
      refused?: Draft,
      status = 200,
    ) => {
      const ctx = ctxOf(request, reply);
      const view = number > 0 ? await myTicket(core, customerId(request), number) : undefined;
      if (!view) return sendPage(reply, notFoundPage(ctx), 404);
      const kept = refused ? undefined : await restored(request, number);
      const draft = refused ?? (kept && restoredDraft(kept));
      const sent = !draft && (request.query as { sent?: string }).sent === '1';
      const nonce =
        kept?.nonce ?? (refused ? (field(request.body, 'nonce') ?? newFormNonce()) : newFormNonce());
      const customerStatus = (await overviewOf(request)).customer.status;
      return sendPage(
        reply,
        <TicketPage ctx={ctx} view={view} nonce={nonce} sent={sent} status={customerStatus} draft={draft} />,
        status,
      );
    };
    portal.get('/portal/tickets/:number', (request, reply) =>
      ticketPage(request, reply, ticketNumberOf(request)),
    );

    // A refused post's page has the form's address: its language switch (a GET) lands on the page.
    const query = (request: FastifyRequest) => {
      const at = request.url.indexOf('?');
      return at < 0 ? '' : request.url.slice(at);
    };
    portal.get('/portal/tickets', (request, reply) => reply.redirect(`/portal${query(request)}`, 303));
    portal.get('/portal/tickets/:number/reply', (request, reply) =>
      reply.redirect(`/portal/tickets/${ticketNumberOf(request)}${query(request)}`, 303),
    );

    registerPortalPosts(
      portal,
      deps,
      {
        ctxOf,
        refused: (request, reply, number, draft, status) =>
          number === undefined
            ? portalPage(request, reply, draft, status)
            : ticketPage(request, reply, number, draft, status),
      },
      drafts,
    );

    portal.get('/portal/attachments/:id', async (request, reply) => {
      const id = (request.params as { id: string }).id;
      const file = /^\d{1,18}$/.test(id)
        ? await myAttachment(core, customerId(request), BigInt(id))
        : undefined;
      const size = file && (await storedValueSize(core.database.sql, 'attachment', file.id));
      if (!file || size === undefined) return reply.code(404).type('text/plain').send('not found');
      // Streamed a piece at a time (at most 1 MB a statement): a 25 MB file is never one value in
      // the store's memory. Always a download: an uploaded HTML file cannot act as our page.
      return reply
        .type('application/octet-stream')
        .header('content-length', size)
        .header('content-disposition', attachmentDisposition(file.filename))
        .header('x-content-type-options', 'nosniff')
        .send(
          Readable.from(storedValuePieces(core.database.sql, 'attachment', file.id, size), {
            objectMode: false,
          }),
        );
    });

    const accountPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      links: { telegram?: { link: string; qrSvg: string }; slack?: { command: string } } = {},
      status = 200,
    ) => {
      const ctx = ctxOf(request, reply);
      const overview = await overviewOf(request);
      const telegramOn = deps.linkFor('telegram', 'x') !== undefined;
      const consents = await myConsents(core, customerId(request));
      return sendPage(
        reply,
        <AccountPage
          ctx={ctx}
          overview={overview!}
          telegram={links.telegram}
          telegramOn={telegramOn}
          slack={links.slack}
          slackOn={deps.chatOn?.('slack') ?? false}
          consents={consents}
        />,
        status,
      );
    };
    portal.get('/portal/account', (request, reply) => accountPage(request, reply));

    /**
     * An account that may not post (suspended, T1) may not widen access either: no quick access,
     * no link codes. True when refused: the account page, 403, with the status notice saying why.
     */
    const refusedAccountChange = async (request: FastifyRequest, reply: FastifyReply) => {
      const status = (await overviewOf(request))?.customer.status ?? 'suspended';
      if (canPost(status)) return false;
      await accountPage(request, reply, {}, 403);
      return true;
    };

    portal.post('/portal/quick-access', csrf, async (request, reply) => {
      const on = field(request.body, 'on') === 'yes';
      // Switching it off only narrows access: always allowed.
      if (on && (await refusedAccountChange(request, reply))) return reply;
      await setQuickAccess(core, customerId(request), on);
      return reply.redirect('/portal/account', 303);
    });

    portal.post('/portal/telegram-link', csrf, async (request, reply) => {
      if (await refusedAccountChange(request, reply)) return reply;
      if (deps.linkFor('telegram', 'x') === undefined) return reply.redirect('/portal/account', 303);
      const code = await createLinkCode(core, customerId(request), 'telegram');
      const link = deps.linkFor('telegram', code)!;
      // The QR code generator is loaded on its first use, not at start (docs/performance.md#memory).
      const { default: QRCode } = await import('qrcode');
      const qrSvg = await QRCode.toString(link, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
      return accountPage(request, reply, { telegram: { link, qrSvg } });
    });

    // Slack has no deep link that carries a code: the customer sends `link <code>` to the bot in a
    // direct message (the Slack adapter redeems it, as for a code made through the API).
    portal.post('/portal/slack-link', csrf, async (request, reply) => {
      if (await refusedAccountChange(request, reply)) return reply;
      if (!deps.chatOn?.('slack')) return reply.redirect('/portal/account', 303);
      const code = await createLinkCode(core, customerId(request), 'slack');
      return accountPage(request, reply, { slack: { command: `link ${code}` } });
    });

    portal.get('/portal/export.json', async (request, reply) => {
      const data = await exportMyData(core, customerId(request));
      return reply
        .type('application/json; charset=utf-8')
        .header(
          'content-disposition',
          attachmentDisposition(`my-data-${core.now().toISOString().slice(0, 10)}.json`),
        )
        .header('cache-control', 'no-store')
        .send(
          JSON.stringify(data, (_key, value) => (typeof value === 'bigint' ? value.toString() : value), 2),
        );
    });

    portal.post('/portal/erasure', csrf, async (request, reply) => {
      await requestErasure(core, customerId(request));
      return reply.redirect('/portal/account', 303);
    });
  });
}
