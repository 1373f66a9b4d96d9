import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { listUnmatched } from '../../core/staff-views.js';
import {
  customerNames,
  findCustomersByText,
  linkUnmatchedMessage,
  openTicketFromUnmatched,
} from '../../core/unmatched.js';
import { dateTime } from '../views/dates.js';
import { CsrfField, Notice } from '../views/layout.js';
import { field, pageContext, sendPage, type WebDeps } from '../web-ui.js';
import { staffMessages } from './staff-i18n.js';
import { StaffLayout } from './staff-layout.js';
import { workMessages } from './work-i18n.js';

const PAGE = 100;

type Candidates = { messageId: string; list: Awaited<ReturnType<typeof findCustomersByText>> };

/**
 * `/staff/unmatched` (every staff member, #25): inbound messages on no ticket, newest first. Link
 * one to a customer found by email or name (several matches: pick one), then open a ticket with
 * it — the core functions of src/core/unmatched.ts, as the REST API.
 */
export function registerUnmatchedPages(scope: FastifyInstance, deps: WebDeps): void {
  const { core, settings } = deps;
  const csrf = { preHandler: scope.csrfProtection };

  const render = async (
    request: FastifyRequest,
    reply: FastifyReply,
    state: { error?: string; notice?: string; candidates?: Candidates } = {},
    status = 200,
  ) => {
    const ctx = pageContext(request, reply, settings);
    const w = workMessages(ctx.t.lang);
    const rows = await listUnmatched(core, { limit: PAGE, offset: 0 });
    const names = await customerNames(core, [
      ...new Set(rows.map((m) => m.customerId).filter((id) => id !== null)),
    ] as bigint[]);
    const picked = state.candidates;
    return sendPage(
      reply,
      <StaffLayout
        {...ctx}
        title={staffMessages(ctx.t.lang).navUnmatched}
        staff={request.staff}
        active="unmatched"
      >
        {state.error && <Notice kind="error">{state.error}</Notice>}
        {state.notice && <Notice kind="ok">{state.notice}</Notice>}
        {picked && (
          <section aria-labelledby="pick-title">
            <h2 id="pick-title">{w.pickCustomer}</h2>
            <ul>
              {picked.list.map((c) => (
                <li key={c.id.toString()}>
                  <form
                    method="post"
                    action={`/staff/unmatched/${picked.messageId}/link`}
                    class="inline-form"
                  >
                    <CsrfField token={ctx.csrfToken} />
                    <input type="hidden" name="customerId" value={c.id.toString()} />
                    <button type="submit">{`${w.link}: ${c.name}`}</button>
                  </form>{' '}
                  {c.addresses.join(', ')} ({c.status})
                </li>
              ))}
            </ul>
          </section>
        )}
        {rows.length === 0 ? (
          <p>{w.noUnmatched}</p>
        ) : (
          <div class="table-wrap">
            <table class="staff-table">
              <thead>
                <tr>
                  <th scope="col">{w.received}</th>
                  <th scope="col">{w.sender}</th>
                  <th scope="col">{w.message}</th>
                  <th scope="col">{w.why}</th>
                  <th scope="col">{w.actions}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((m) => {
                  const id = m.id.toString();
                  const linked = m.customerId === null ? undefined : names.get(m.customerId.toString());
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
                        <form method="post" action={`/staff/unmatched/${id}/link`} class="inline-form">
                          <CsrfField token={ctx.csrfToken} />
                          <label for={`find-${id}`}>{w.findCustomer}</label>{' '}
                          <input id={`find-${id}`} name="query" required maxLength={200} />{' '}
                          <button type="submit">{w.link}</button>
                        </form>
                        {linked !== undefined && (
                          <form method="post" action={`/staff/unmatched/${id}/ticket`} class="inline-form">
                            <CsrfField token={ctx.csrfToken} />
                            <button type="submit">{w.openTicket}</button>
                          </form>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </StaffLayout>,
      status,
    );
  };

  const messageId = (request: FastifyRequest) => {
    const raw = (request.params as { id: string }).id;
    return /^\d{1,18}$/.test(raw) ? BigInt(raw) : undefined;
  };
  const actor = (request: FastifyRequest) => `staff:${request.staff!.email}`;
  const texts = (request: FastifyRequest, reply: FastifyReply) =>
    workMessages(pageContext(request, reply, settings).t.lang);

  scope.get('/staff/unmatched', async (request, reply) => {
    const { done, ticket } = request.query as { done?: string; ticket?: string };
    const w = texts(request, reply);
    const notice =
      done === 'linked' ? w.linked : done === 'ticket' && ticket ? w.ticketOpened(Number(ticket)) : undefined;
    return render(request, reply, { notice });
  });

  scope.post('/staff/unmatched/:id/link', csrf, async (request, reply) => {
    const w = texts(request, reply);
    const id = messageId(request);
    if (id === undefined) return render(request, reply, { error: w.gone }, 404);
    let customerId = field(request.body, 'customerId')?.trim();
    if (!customerId || !/^\d{1,18}$/.test(customerId)) {
      const list = await findCustomersByText(core, field(request.body, 'query')?.slice(0, 200) ?? '');
      if (list.length === 0) return render(request, reply, { error: w.noMatch }, 404);
      if (list.length > 1) return render(request, reply, { candidates: { messageId: id.toString(), list } });
      customerId = list[0]!.id.toString();
    }
    try {
      await linkUnmatchedMessage(core, id, BigInt(customerId), actor(request));
    } catch (caught) {
      if (caught instanceof ConflictError) return render(request, reply, { error: w.taken }, 409);
      if (caught instanceof NotFoundError) return render(request, reply, { error: w.gone }, 404);
      throw caught;
    }
    return reply.redirect('/staff/unmatched?done=linked', 303);
  });

  scope.post('/staff/unmatched/:id/ticket', csrf, async (request, reply) => {
    const w = texts(request, reply);
    const id = messageId(request);
    if (id === undefined) return render(request, reply, { error: w.gone }, 404);
    try {
      const number = await openTicketFromUnmatched(core, id, actor(request));
      return reply.redirect(`/staff/unmatched?done=ticket&ticket=${number}`, 303);
    } catch (caught) {
      if (caught instanceof ConflictError || caught instanceof NotFoundError)
        return render(request, reply, { error: w.gone }, 409);
      throw caught;
    }
  });
}
