import type { MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toInboundMessage } from '../channels/web/web-inbound.js';
import type { InboundAttachment } from '../core/channel.js';
import { createLinkCode } from '../core/chat-operations.js';
import { currentTerms } from './accounts.js';
import {
  customerOverview,
  exportMyData,
  myAppointments,
  myAttachment,
  myConsents,
  myHourSummaries,
  myTicket,
  myTickets,
  requestErasure,
  setQuickAccess,
  ticketNumberOfMessage,
} from './portal-data.js';
import { MessagePage } from './views/auth-pages.js';
import { AccountPage, PortalPage, TicketPage } from './views/portal-pages.js';
import { field, newFormNonce, pageContext, sendPage, type WebDeps } from './web-ui.js';

async function filesOf(body: unknown): Promise<InboundAttachment[]> {
  const value = (body as Record<string, unknown> | undefined)?.attachments;
  const parts = (Array.isArray(value) ? value : value ? [value] : []) as MultipartFile[];
  const files: InboundAttachment[] = [];
  for (const part of parts) {
    if (part.type !== 'file' || !part.filename) continue; // an empty file input still sends a part
    const content = await part.toBuffer();
    files.push({ filename: part.filename, contentType: part.mimetype, size: content.length, content });
  }
  return files;
}

/** Whether the multipart parser cut a field at its `fieldSize` limit (busboy's `valueTruncated`). */
function truncated(body: unknown, name: string): boolean {
  const value = (body as Record<string, { valueTruncated?: boolean } | undefined> | undefined)?.[name];
  return Boolean(value && typeof value === 'object' && value.valueTruncated);
}

/** The ticket number in the path, or 0 when it is not a plain number of at most 9 digits (`1e3`, `abc`). */
function ticketNumberOf(request: FastifyRequest): number {
  const raw = (request.params as { number: string }).number;
  return /^\d{1,9}$/.test(raw) ? Number(raw) : 0;
}

/** The portal (customer side of the web channel): tickets, new ticket and replies, account, data. */
export function registerPortalRoutes(web: FastifyInstance, deps: WebDeps): void {
  const { core, settings } = deps;
  const customerId = (request: FastifyRequest) => BigInt(request.session.customerId!);
  // Read once per request by the sign-in check, then used by the page.
  const overviews = new WeakMap<FastifyRequest, NonNullable<Awaited<ReturnType<typeof customerOverview>>>>();
  const overviewOf = async (request: FastifyRequest) =>
    overviews.get(request) ?? (await customerOverview(core, customerId(request)))!;

  web.register(async (portal) => {
    // Signed in, and the current terms accepted (T9: a new version is shown at the next visit).
    portal.addHook('preHandler', async (request, reply) => {
      if (!request.session.customerId) return reply.redirect('/signin', 303);
      const overview = await customerOverview(core, customerId(request));
      if (!overview) {
        await request.session.destroy();
        return reply.redirect('/signin', 303);
      }
      const terms = await currentTerms(core);
      if (terms && overview.customer.acceptedTermsVersion !== terms.version)
        return reply.redirect('/terms/accept', 303);
    });
    const csrf = { preHandler: portal.csrfProtection };
    const ctxOf = (request: FastifyRequest, reply: FastifyReply) => pageContext(request, reply, settings);

    portal.get('/portal', async (request, reply) => {
      const ctx = ctxOf(request, reply);
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
          nonce={newFormNonce()}
        />,
      );
    });

    portal.get('/portal/tickets/:number', async (request, reply) => {
      const ctx = ctxOf(request, reply);
      const number = ticketNumberOf(request);
      const view = number > 0 ? await myTicket(core, customerId(request), number) : undefined;
      if (!view)
        return sendPage(
          reply,
          <MessagePage ctx={ctx} title={ctx.t.notFound} text={ctx.t.notFound} kind="error" />,
          404,
        );
      const sent = (request.query as { sent?: string }).sent === '1';
      return sendPage(reply, <TicketPage ctx={ctx} view={view} nonce={newFormNonce()} sent={sent} />);
    });

    // New ticket or reply: the web is a channel like the others (same ingest, same acknowledgement).
    const post = async (request: FastifyRequest, reply: FastifyReply, ticketNumber?: number) => {
      const ctx = ctxOf(request, reply);
      const text = field(request.body, 'text')?.trim() ?? '';
      const subject = field(request.body, 'subject')?.trim();
      const attachments = await filesOf(request.body);
      // Never cut silently: a subject over 200 characters, or a text the form parser cut at its
      // 64 KiB field limit, is sent back with the reason (nothing is stored).
      if ((subject?.length ?? 0) > 200 || truncated(request.body, 'text') || text.length > 100_000) {
        return sendPage(
          reply,
          <MessagePage ctx={ctx} title={ctx.t.fixErrors} text={ctx.t.messageTooLong} kind="error" />,
          400,
        );
      }
      if (!text || (ticketNumber === undefined && !subject)) {
        return sendPage(
          reply,
          <MessagePage ctx={ctx} title={ctx.t.fixErrors} text={ctx.t.required} kind="error" />,
          400,
        );
      }
      if (
        ticketNumber !== undefined &&
        !(ticketNumber > 0 && (await myTicket(core, customerId(request), ticketNumber)))
      ) {
        return sendPage(
          reply,
          <MessagePage ctx={ctx} title={ctx.t.notFound} text={ctx.t.notFound} kind="error" />,
          404,
        );
      }
      const outcome = await deps.ingest(
        toInboundMessage({
          login: request.session.login!,
          formNonce: (field(request.body, 'nonce') ?? newFormNonce()).slice(0, 40),
          ticketNumber,
          subject,
          text,
          attachments,
          receivedAt: core.now(),
        }),
      );
      const number =
        'ticketNumber' in outcome
          ? outcome.ticketNumber
          : outcome.status === 'duplicate'
            ? ((await ticketNumberOfMessage(core, customerId(request), outcome.messageId)) ?? ticketNumber)
            : ticketNumber;
      if (number === undefined) return reply.redirect('/portal', 303);
      return reply.redirect(`/portal/tickets/${number}?sent=1`, 303);
    };
    portal.post('/portal/tickets', csrf, (request, reply) => post(request, reply));
    portal.post('/portal/tickets/:number/reply', csrf, (request, reply) =>
      post(request, reply, ticketNumberOf(request)),
    );

    portal.get('/portal/attachments/:id', async (request, reply) => {
      const id = (request.params as { id: string }).id;
      const file = /^\d{1,18}$/.test(id)
        ? await myAttachment(core, customerId(request), BigInt(id))
        : undefined;
      if (!file) return reply.code(404).type('text/plain').send('not found');
      // Always a download, never rendered here: an uploaded HTML file cannot act as our page.
      return reply
        .type('application/octet-stream')
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
        .header('x-content-type-options', 'nosniff')
        .send(Buffer.from(file.content!));
    });

    const accountPage = async (
      request: FastifyRequest,
      reply: FastifyReply,
      telegram?: { link: string; qrSvg: string },
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
          telegram={telegram}
          telegramOn={telegramOn}
          consents={consents}
        />,
      );
    };
    portal.get('/portal/account', (request, reply) => accountPage(request, reply));

    portal.post('/portal/quick-access', csrf, async (request, reply) => {
      await setQuickAccess(core, customerId(request), field(request.body, 'on') === 'yes');
      return reply.redirect('/portal/account', 303);
    });

    portal.post('/portal/telegram-link', csrf, async (request, reply) => {
      if (deps.linkFor('telegram', 'x') === undefined) return reply.redirect('/portal/account', 303);
      const code = await createLinkCode(core, customerId(request), 'telegram');
      const link = deps.linkFor('telegram', code)!;
      // The QR code generator is loaded on its first use, not at start (docs/performance.md#memory).
      const { default: QRCode } = await import('qrcode');
      const qrSvg = await QRCode.toString(link, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
      return accountPage(request, reply, { link, qrSvg });
    });

    portal.get('/portal/export.json', async (request, reply) => {
      const data = await exportMyData(core, customerId(request));
      return reply
        .type('application/json; charset=utf-8')
        .header('content-disposition', 'attachment; filename="my-data.json"')
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
