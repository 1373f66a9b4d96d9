/**
 * Staff ticket pages (#25): `/staff/tickets` (filters and full-text search, keyset pages) and
 * `/staff/tickets/:number` (the whole thread, and the same actions as Slack), attachments at
 * `/staff/attachments/:id`. Registered in a scope where the staff guard already runs
 * (`request.staff` is set). Every action calls the core function Slack and the REST API call.
 */
import { eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clientErrorOf } from '../../api/error-status.js';
import { ticketSummaryData } from '../../core/billing/billing-store.js';
import { parseDuration } from '../../core/billing/duration.js';
import type { EntryKind } from '../../core/billing/pricing.js';
import { listTimeEntries, recordTimeEntry } from '../../core/billing/time-entries.js';
import { DEFAULT_BUSINESS_CALENDAR } from '../../core/business-calendar.js';
import { requestConsent } from '../../core/consent/consent-requests.js';
import { isTicketStatus } from '../../core/lifecycle.js';
import { proposeForTicket } from '../../core/proposals.js';
import { ticketWithMessages } from '../../core/staff-views.js';
import { assignTicket } from '../../core/ticket-actions.js';
import { DEADLINE_STATES, type DeadlineState, endOfLocalDay, findTickets } from '../../core/ticket-search.js';
import { getTicketByNumber, postTechnicianMessage, setStatus } from '../../core/tickets.js';
import { customers } from '../../db/schema.js';
import { staffAttachment } from '../../db/sql/staff-attachment.js';
import { field, pageContext, sendPage, type WebDeps } from '../web-ui.js';
import type { StaffMember } from './staff-auth.js';
import { StaffLayout } from './staff-layout.js';
import { CHANNELS, type ListFilters, TicketList } from './ticket-list-page.js';
import { type TicketTexts, ticketTexts } from './ticket-texts.js';
import { TicketView } from './ticket-view-page.js';

const ACTIONS = ['reply', 'note', 'take', 'propose', 'consent', 'time', 'resolve', 'reopen'] as const;
type Action = (typeof ACTIONS)[number];

const one = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/** The list's query string, each value kept only when valid (anything else is ignored). */
function filtersOf(query: Record<string, unknown>): ListFilters & { before?: number } {
  const status = one(query.status);
  const channel = one(query.channel);
  const customerId = one(query.customer_id);
  const deadline = one(query.deadline);
  const before = Number(one(query.before));
  return {
    q: one(query.q).slice(0, 200),
    status: isTicketStatus(status) ? status : '',
    channel: (CHANNELS as readonly string[]).includes(channel) ? channel : '',
    customer: one(query.customer).slice(0, 100),
    customer_id: /^\d{1,18}$/.test(customerId) ? customerId : '',
    assignee: one(query.assignee).slice(0, 100),
    deadline: (DEADLINE_STATES as readonly string[]).includes(deadline) ? deadline : '',
    before: Number.isInteger(before) && before > 0 ? before : undefined,
  };
}

export function registerTicketPages(scope: FastifyInstance, deps: WebDeps): void {
  const { core, settings } = deps;
  const csrf = { preHandler: scope.csrfProtection };

  const render = (
    request: FastifyRequest,
    reply: FastifyReply,
    title: string,
    body: (ctx: ReturnType<typeof pageContext>, t: TicketTexts, staff: StaffMember) => preact.VNode,
    status = 200,
  ) => {
    const ctx = pageContext(request, reply, settings);
    const t = ticketTexts(ctx.t.lang);
    const staff = request.staff!;
    return sendPage(
      reply,
      <StaffLayout {...ctx} title={title} staff={staff} active="tickets">
        {body(ctx, t, staff)}
      </StaffLayout>,
      status,
    );
  };

  scope.get('/staff/tickets', async (request, reply) => {
    const filters = filtersOf(request.query as Record<string, unknown>);
    const page = await findTickets(core, {
      search: filters.q || undefined,
      status: isTicketStatus(filters.status) ? filters.status : undefined,
      channel: filters.channel || undefined,
      customerId: filters.customer_id ? BigInt(filters.customer_id) : undefined,
      customerName: filters.customer || undefined,
      assignee: filters.assignee === '-' ? null : filters.assignee || undefined,
      deadline: (filters.deadline || undefined) as DeadlineState | undefined,
      before: filters.before,
    });
    const now = core.now();
    const endOfToday = endOfLocalDay(now, (core.calendar ?? DEFAULT_BUSINESS_CALENDAR).timeZone);
    const { before, ...shown } = filters;
    return render(
      request,
      reply,
      ticketTexts(pageContext(request, reply, settings).t.lang).tickets,
      (ctx, t, staff) => (
        <TicketList
          ctx={ctx}
          t={t}
          filters={shown}
          me={staff.name}
          page={page}
          paged={before !== undefined}
          now={now}
          endOfToday={endOfToday}
        />
      ),
    );
  });

  const numberOf = (request: FastifyRequest) => {
    const raw = (request.params as { number: string }).number;
    return /^\d{1,9}$/.test(raw) ? Number(raw) : 0;
  };

  const ticketPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: {
      done?: string;
      redacted?: boolean;
      error?: string;
      draft?: { reply?: string; note?: string };
      status?: number;
    } = {},
  ) => {
    const number = numberOf(request);
    const view = number > 0 ? await ticketWithMessages(core, number).catch(() => undefined) : undefined;
    if (!view) {
      return render(request, reply, '404', (_ctx, t) => <p role="alert">{t.notFound}</p>, 404);
    }
    const [customer] = await core.database.db
      .select({ id: customers.id, name: customers.name })
      .from(customers)
      .where(eq(customers.id, view.ticket.customerId));
    // The bill as the hour summary and the API price it; an out-of-range entry raises its alert here too.
    const time = await core.database.transaction(async (tx) => ({
      entries: await listTimeEntries(tx, view.ticket.id),
      bill: (await ticketSummaryData(core, tx, view.ticket.number)).bill,
    }));
    return render(
      request,
      reply,
      `#${view.ticket.number} ${view.ticket.subject}`,
      (ctx, t) => (
        <TicketView
          ctx={ctx}
          t={t}
          data={{ ...view, customer: customer!, time }}
          done={extra.done}
          redacted={extra.redacted}
          error={extra.error}
          draft={extra.draft}
        />
      ),
      extra.status,
    );
  };

  scope.get('/staff/tickets/:number', (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const done = one(query.done);
    return ticketPage(request, reply, {
      done: (ACTIONS as readonly string[]).includes(done) ? done : undefined,
      redacted: one(query.redacted) === '1',
    });
  });

  /** Runs one action as the signed-in staff member (their name is the technician's identity). */
  /** Runs one action; `problem` is shown instead of the ticket, `redacted` adds a notice (T8). */
  const act = async (
    action: Action,
    number: number,
    body: unknown,
    staff: StaffMember,
    t: TicketTexts,
  ): Promise<{ problem?: string; redacted?: boolean }> => {
    const actor = `staff:${staff.id}`; // src/core/actors.ts
    const technician = staff.name;
    switch (action) {
      case 'reply':
      case 'note': {
        const text = one(field(body, 'text'));
        if (!text) return { problem: t.emptyText };
        const posted = await postTechnicianMessage(core, {
          ticketNumber: number,
          author: technician,
          text,
          internal: action === 'note',
          actor,
        });
        return { redacted: posted.redacted > 0 };
      }
      case 'take':
        await assignTicket(core, number, technician, actor);
        return {};
      case 'propose': {
        const minutes = Number(field(body, 'minutes') ?? 60);
        await proposeForTicket(core, number, {
          technician,
          kind: field(body, 'kind') === 'onsite' ? 'onsite' : 'remote',
          durationMinutes: Number.isInteger(minutes) ? Math.min(180, Math.max(15, minutes)) : 60,
        });
        return {};
      }
      case 'consent':
        await requestConsent(core, { ticketNumber: number, technician, actor });
        return {};
      case 'time': {
        const minutes = parseDuration(field(body, 'duration') ?? '');
        if (minutes === undefined) return { problem: t.badDuration };
        const kind = field(body, 'kind');
        const note = one(field(body, 'note'));
        const entry = await core.database.transaction((tx) =>
          recordTimeEntry(core, tx, {
            ticketNumber: number,
            technician,
            minutes,
            kind: (kind === 'on_site' || kind === 'phone' ? kind : 'remote') as EntryKind,
            billable: field(body, 'billable') === 'yes',
            note,
            source: 'web',
            actor,
          }),
        );
        // The core stores the description redacted (T8): a change means a secret was taken out.
        return { redacted: entry.note !== note };
      }
      case 'resolve':
      case 'reopen':
        await core.database.transaction(async (tx) => {
          const ticket = await getTicketByNumber(tx, number, { forUpdate: true });
          await setStatus(core, tx, ticket, action === 'resolve' ? 'resolved' : 'open', actor);
        });
        core.jobs.wake();
        return {};
    }
  };

  for (const action of ACTIONS) {
    scope.post(`/staff/tickets/:number/${action}`, csrf, async (request, reply) => {
      const number = numberOf(request);
      const t = ticketTexts(pageContext(request, reply, settings).t.lang);
      const draft =
        action === 'reply' || action === 'note' ? { [action]: field(request.body, 'text') } : undefined;
      let problem: string | undefined;
      let redacted = false;
      let status = 400;
      try {
        ({ problem, redacted = false } = await act(action, number, request.body, request.staff!, t));
      } catch (error) {
        const known = clientErrorOf(error);
        if (!known) throw error;
        problem = (error as Error).message;
        status = known.status;
      }
      if (problem) return ticketPage(request, reply, { error: problem, draft, status });
      // Post/redirect/get: a reload does not send the reply twice.
      return reply.redirect(`/staff/tickets/${number}?done=${action}${redacted ? '&redacted=1' : ''}`, 303);
    });
  }

  scope.get('/staff/attachments/:id', async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const file = /^\d{1,18}$/.test(id) ? await staffAttachment(core.database.sql, BigInt(id)) : undefined;
    if (!file) return reply.code(404).type('text/plain').send('not found');
    // Always a download, never rendered here: an uploaded HTML file cannot act as our page.
    return reply
      .type('application/octet-stream')
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-store')
      .send(Buffer.from(file.content));
  });
}
