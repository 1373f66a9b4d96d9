import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError } from '../../core/errors.js';
import { unmatchedPage } from '../../core/staff-views.js';
import {
  customerNames,
  findCustomersByText,
  linkUnmatchedMessage,
  openTicketFromUnmatched,
} from '../../core/unmatched.js';
import type { messages } from '../../db/schema.js';
import { dateTime } from '../views/dates.js';
import type { PageContext } from '../views/layout.js';
import { field, type WebDeps } from '../web-ui.js';
import { staffMessages } from './staff-i18n.js';
import { navLabel } from './staff-layout.js';
import { actOnId, doneNotice, type PageState, staffActor, staffPageKit } from './staff-page.js';
import { staffQuery, unmatchedQuery } from './staff-query.js';
import { KeysetPager, RowForm, RowInput, StaffTable } from './staff-table.js';
import { type WorkMessages, workMessages } from './work-i18n.js';

type Candidates = { messageId: string; list: Awaited<ReturnType<typeof findCustomersByText>> };

/** The page's state: besides the notices, customers to pick from and the page (`before`) shown. */
type UnmatchedState = PageState & { candidates?: Candidates; before?: bigint };

/** The page's keyset (`before`, a message id) from the query or a form's hidden field. */
const beforeOf = (value: unknown): bigint | undefined =>
  typeof value === 'string' && /^\d{1,18}$/.test(value) ? BigInt(value) : undefined;

/** Row forms carry the page they were on, so the answer comes back to it. */
function PageField(props: { before?: bigint }) {
  return props.before === undefined ? null : (
    <input type="hidden" name="before" value={String(props.before)} />
  );
}

/**
 * `/staff/unmatched` (every staff member, #25): inbound messages on no ticket, newest first, 50 a
 * page (keyset pages as the ticket list's, `?before=<message id>`). Link one to a customer found
 * by email or name (several matches: pick one), then open a ticket with it — the core functions
 * of src/core/unmatched.ts, as the REST API. After an action the page it was on is shown again.
 */
export function registerUnmatchedPages(scope: FastifyInstance, deps: WebDeps): void {
  const { csrf, texts, renderer } = staffPageKit(scope, deps, workMessages);
  const render = renderer<UnmatchedState>({
    active: 'unmatched',
    body: async (ctx, w, { before, candidates }) => {
      const page = await unmatchedPage(deps.core, { before });
      const names = await customerNames(deps.core, [
        ...new Set(page.rows.map((m) => m.customerId).filter((id) => id !== null)),
      ] as bigint[]);
      return (
        <>
          {candidates && <CandidateList ctx={ctx} w={w} picked={candidates} before={before} />}
          <StaffTable
            label={navLabel('unmatched', staffMessages(ctx.t.lang))}
            headers={[w.received, w.sender, w.message, w.why, w.actions]}
            empty={w.noUnmatched}
            rows={page.rows.map((m) => (
              <MessageRow
                ctx={ctx}
                w={w}
                m={m}
                linked={m.customerId === null ? undefined : names.get(m.customerId.toString())}
                before={before}
              />
            ))}
          />
          <KeysetPager
            path="/staff/unmatched"
            label={w.unmatchedPages}
            query={new URLSearchParams()}
            paged={before !== undefined}
            nextBefore={page.nextBefore}
            texts={w}
          />
        </>
      );
    },
  });

  /** Back to the page the form was on, saying what was done. */
  const done = (request: FastifyRequest, reply: FastifyReply, query: Record<string, string>) => {
    const before = beforeOf(field(request.body, 'before'));
    const params = new URLSearchParams(before === undefined ? query : { before: String(before), ...query });
    return reply.redirect(`/staff/unmatched?${params.toString()}`, 303);
  };
  const formBefore = (request: FastifyRequest) => beforeOf(field(request.body, 'before'));

  scope.get('/staff/unmatched', async (request, reply) => {
    const { ticket, before } = staffQuery(request, unmatchedQuery);
    const w = texts(request, reply);
    const notice = doneNotice(request, {
      linked: w.linked,
      ...(ticket ? { ticket: w.ticketOpened(Number(ticket)) } : {}),
    });
    return render(request, reply, { notice, before: beforeOf(before) });
  });

  scope.post('/staff/unmatched/:id/link', csrf, async (request, reply) => {
    const w = texts(request, reply);
    const before = formBefore(request);
    return actOnId(
      request,
      async (id) => {
        let customerId = field(request.body, 'customerId')?.trim();
        if (!customerId || !/^\d{1,18}$/.test(customerId)) {
          const list = await findCustomersByText(
            deps.core,
            field(request.body, 'query')?.slice(0, 200) ?? '',
          );
          if (list.length === 0) return render(request, reply, { error: w.noMatch, before }, 404);
          if (list.length > 1)
            return render(request, reply, { candidates: { messageId: id.toString(), list }, before });
          customerId = list[0]!.id.toString();
        }
        await linkUnmatchedMessage(deps.core, id, BigInt(customerId), staffActor(request));
        return done(request, reply, { done: 'linked' });
      },
      (error) =>
        error instanceof ConflictError
          ? render(request, reply, { error: w.taken, before }, 409)
          : render(request, reply, { error: w.gone, before }, 404),
    );
  });

  scope.post('/staff/unmatched/:id/ticket', csrf, async (request, reply) =>
    actOnId(
      request,
      async (id) => {
        const number = await openTicketFromUnmatched(deps.core, id, staffActor(request));
        return done(request, reply, { done: 'ticket', ticket: String(number) });
      },
      () => render(request, reply, { error: texts(request, reply).gone, before: formBefore(request) }, 409),
    ),
  );
}

function MessageRow(props: {
  ctx: PageContext;
  w: WorkMessages;
  m: typeof messages.$inferSelect;
  linked?: string;
  before?: bigint;
}) {
  const { ctx, w, m, linked } = props;
  const id = m.id.toString();
  return (
    <tr key={id} data-message={id}>
      <td>
        {dateTime(ctx, m.receivedAt ?? m.createdAt)}
        <br />
        {m.channel}
      </td>
      <td>
        {m.senderName && (
          <>
            {m.senderName}
            <br />
          </>
        )}
        {m.senderAddress ?? ''}
      </td>
      <td>
        {m.subject && <strong>{m.subject}</strong>}
        {m.subject && <br />}
        {m.newText.slice(0, 300)}
      </td>
      <td>{m.dispositionReason ?? m.disposition}</td>
      <td>
        {linked !== undefined && (
          <p>
            {w.linkedTo}: {linked}
          </p>
        )}
        <RowForm action={`/staff/unmatched/${id}/link`} csrfToken={ctx.csrfToken}>
          <PageField before={props.before} />
          <RowInput id={`find-${id}`} name="query" label={w.findCustomer} maxLength={200} />
          <button type="submit">{w.link}</button>
        </RowForm>
        {linked !== undefined && (
          <RowForm action={`/staff/unmatched/${id}/ticket`} csrfToken={ctx.csrfToken}>
            <PageField before={props.before} />
            <button type="submit">{w.openTicket}</button>
          </RowForm>
        )}
      </td>
    </tr>
  );
}

function CandidateList(props: { ctx: PageContext; w: WorkMessages; picked: Candidates; before?: bigint }) {
  const { ctx, w, picked } = props;
  return (
    <section aria-labelledby="pick-title">
      <h2 id="pick-title">{w.pickCustomer}</h2>
      <ul>
        {picked.list.map((c) => (
          <li key={c.id.toString()}>
            <RowForm action={`/staff/unmatched/${picked.messageId}/link`} csrfToken={ctx.csrfToken}>
              <PageField before={props.before} />
              <input type="hidden" name="customerId" value={c.id.toString()} />
              <button type="submit">{`${w.link}: ${c.name}`}</button>
            </RowForm>{' '}
            {c.addresses.join(', ')} ({c.status})
          </li>
        ))}
      </ul>
    </section>
  );
}
