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
import { type DeadlineState, endOfLocalDay, findTickets } from '../../core/ticket-search.js';
import { getTicketByNumber, postTechnicianMessage, setStatus } from '../../core/tickets.js';
import { customers } from '../../db/schema.js';
import { staffAttachment } from '../../db/sql/staff-attachment.js';
import type { DraftKeeper } from '../kept-drafts.js';
import { field, pageContext, sendPage, type WebDeps } from '../web-ui.js';
import type { StaffMember } from './staff-auth.js';
import { StaffLayout } from './staff-layout.js';
import { staffQuery, ticketListQuery, ticketQuery } from './staff-query.js';
import { readStaffTextForms, STAFF_TEXT_LIMIT, wasCut } from './staff-text-posts.js';
import { draftOf, slotMinutesOf } from './ticket-forms.js';
import { type ListFilters, TicketList } from './ticket-list-page.js';
import { type TicketTexts, ticketTexts } from './ticket-texts.js';
import { type TicketDraft, TicketView } from './ticket-view-page.js';

const ACTIONS = ['reply', 'note', 'take', 'propose', 'consent', 'time', 'resolve', 'reopen'] as const;
type Action = (typeof ACTIONS)[number];

const one = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/**
 * The list's query string, checked (staff-query.ts): a bad value is a 400 page naming it.
 * @throws StaffQueryRefused
 */
function filtersOf(request: FastifyRequest): ListFilters & { before?: number } {
  const query = staffQuery(request, ticketListQuery);
  return {
    q: query.q ?? '',
    status: query.status ?? '',
    channel: query.channel ?? '',
    customer: query.customer ?? '',
    customer_id: query.customer_id ?? '',
    assignee: query.assignee ?? '',
    deadline: query.deadline ?? '',
    before: query.before === undefined ? undefined : Number(query.before),
  };
}

/**
 * The ticket pages in the guarded staff scope. `drafts` is the staff draft keeper: a reply or note
 * kept across a sign-in is shown in its form on the ticket until it is sent (or expires in an hour).
 */
export function registerTicketPages(scope: FastifyInstance, deps: WebDeps, drafts: DraftKeeper): void {
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
    const filters = filtersOf(request);
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
      draft?: TicketDraft;
      status?: number;
    } = {},
  ) => {
    let restored: 'reply' | 'note' | undefined;
    if (!extra.draft) {
      // A text kept when the session expired, for this ticket and this member: in its form again.
      const kept = await drafts.find(request, request.staff!.id);
      if (kept?.ticketNumber === numberOf(request)) {
        restored = kept.form === 'staff_note' ? 'note' : 'reply';
        extra = { ...extra, draft: { [restored]: kept.text } };
      }
    }
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
          restored={restored}
        />
      ),
      extra.status,
    );
  };

  scope.get('/staff/tickets/:number', (request, reply) => {
    const { done, redacted } = staffQuery(request, ticketQuery);
    return ticketPage(request, reply, {
      done: (ACTIONS as readonly string[]).includes(done ?? '') ? done : undefined,
      redacted: redacted === '1',
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
  ): Promise<{ problem?: string; redacted?: boolean; status?: number }> => {
    const actor = `staff:${staff.id}`; // src/core/actors.ts
    const technician = staff.name;
    switch (action) {
      case 'reply':
      case 'note': {
        const text = one(field(body, 'text'));
        if (!text) return { problem: t.emptyText };
        // Never cut silently: the text comes back in the form with the limit (413, nothing sent).
        if (wasCut(body) || text.length > STAFF_TEXT_LIMIT)
          return { problem: t.tooLong(STAFF_TEXT_LIMIT, text.length, wasCut(body)), status: 413 };
        const posted = await postTechnicianMessage(core, {
          ticketNumber: number,
          author: technician,
          text,
          internal: action === 'note',
          signed: true,
          actor,
        });
        return { redacted: posted.redacted > 0 };
      }
      case 'take':
        await assignTicket(core, number, technician, actor);
        return {};
      case 'propose': {
        const minutes = slotMinutesOf(field(body, 'minutes'));
        if (minutes === undefined) return { problem: t.badSlotLength };
        await proposeForTicket(core, number, {
          technician,
          kind: field(body, 'kind') === 'onsite' ? 'onsite' : 'remote',
          durationMinutes: minutes,
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

  const route = (target: FastifyInstance, action: Action) =>
    target.post(`/staff/tickets/:number/${action}`, csrf, async (request, reply) => {
      const number = numberOf(request);
      const t = ticketTexts(pageContext(request, reply, settings).t.lang);
      const draft = draftOf(action, request.body);
      let problem: string | undefined;
      let redacted = false;
      let status = 400;
      try {
        ({
          problem,
          redacted = false,
          status = 400,
        } = await act(action, number, request.body, request.staff!, t));
      } catch (error) {
        const known = clientErrorOf(error);
        if (!known) throw error;
        problem = (error as Error).message;
        status = known.status;
      }
      if (problem) return ticketPage(request, reply, { error: problem, draft, status });
      // A draft kept across a sign-in is sent now.
      if (action === 'reply' || action === 'note') await drafts.drop(request, number, `staff_${action}`);
      // Post/redirect/get: a reload does not send the reply twice.
      return reply.redirect(`/staff/tickets/${number}?done=${action}${redacted ? '&redacted=1' : ''}`, 303);
    });
  for (const action of ACTIONS) if (action !== 'reply' && action !== 'note') route(scope, action);
  // Replies and notes in a scope of their own whose form parser reads up to 1 MiB and never
  // answers 413: a long text comes back in its form with the limit (staff-text-posts.tsx).
  scope.register(async (texts) => {
    readStaffTextForms(texts);
    route(texts, 'reply');
    route(texts, 'note');
  });

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
