import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import {
  activateRegistration,
  listPendingRegistrations,
  rejectRegistration,
} from '../../core/registrations.js';
import { dateTime } from '../views/dates.js';
import { CsrfField, Notice } from '../views/layout.js';
import { field, pageContext, sendPage, type WebDeps } from '../web-ui.js';
import { staffMessages } from './staff-i18n.js';
import { StaffLayout } from './staff-layout.js';
import { workMessages } from './work-i18n.js';

const MINUTE_MS = 60_000;

/** Hours and minutes of a span (ms), rounded down to the minute. */
const hoursMinutes = (ms: number): [number, number] => {
  const minutes = Math.floor(Math.abs(ms) / MINUTE_MS);
  return [Math.floor(minutes / 60), minutes % 60];
};

/**
 * `/staff/registrations` (every staff member, #25): pending customers with the T1 clock
 * (ACTIVATION_DEADLINE_HOURS after registering; overdue rows marked in colour and in words),
 * Activate, and Reject with a reason. The customer is told either way (src/core/registrations.ts).
 */
export function registerRegistrationPages(scope: FastifyInstance, deps: WebDeps): void {
  const { core, settings } = deps;
  const csrf = { preHandler: scope.csrfProtection };

  const render = async (
    request: FastifyRequest,
    reply: FastifyReply,
    state: { error?: string; notice?: string } = {},
    status = 200,
  ) => {
    const ctx = pageContext(request, reply, settings);
    const w = workMessages(ctx.t.lang);
    const pending = await listPendingRegistrations(core);
    const now = core.now().getTime();
    return sendPage(
      reply,
      <StaffLayout
        {...ctx}
        title={staffMessages(ctx.t.lang).navRegistrations}
        staff={request.staff}
        active="registrations"
      >
        {state.error && <Notice kind="error">{state.error}</Notice>}
        {state.notice && <Notice kind="ok">{state.notice}</Notice>}
        {pending.length === 0 ? (
          <p>{w.noPending}</p>
        ) : (
          <div class="table-wrap">
            <table class="staff-table">
              <thead>
                <tr>
                  <th scope="col">{w.customer}</th>
                  <th scope="col">{w.contact}</th>
                  <th scope="col">{w.registeredAt}</th>
                  <th scope="col">{w.deadline}</th>
                  <th scope="col">{w.actions}</th>
                </tr>
              </thead>
              <tbody>
                {pending.map((r) => {
                  const id = r.customerId.toString();
                  const rest = r.deadline.getTime() - now;
                  const overdue = rest <= 0;
                  const [h, m] = hoursMinutes(rest);
                  return (
                    <tr key={id} class={overdue ? 'overdue' : undefined} data-customer={id}>
                      <td>
                        {r.name} ({r.kind === 'company' ? w.company : w.person})
                      </td>
                      <td>
                        {r.contactName ?? ''}
                        {r.email && (
                          <>
                            <br />
                            {r.email}
                          </>
                        )}
                      </td>
                      <td>{dateTime(ctx, r.registeredAt)}</td>
                      <td>
                        {dateTime(ctx, r.deadline)}
                        <br />
                        {overdue ? <span class="overdue-label">{w.overdue(h, m)}</span> : w.left(h, m)}
                      </td>
                      <td>
                        <form
                          method="post"
                          action={`/staff/registrations/${id}/activate`}
                          class="inline-form"
                        >
                          <CsrfField token={ctx.csrfToken} />
                          <button type="submit" aria-label={`${w.activate} ${r.name}`}>
                            {w.activate}
                          </button>
                        </form>
                        <form method="post" action={`/staff/registrations/${id}/reject`} class="inline-form">
                          <CsrfField token={ctx.csrfToken} />
                          <label for={`reason-${id}`}>{w.reason}</label>{' '}
                          <input id={`reason-${id}`} name="reason" required maxLength={500} />{' '}
                          <button type="submit" aria-label={`${w.reject} ${r.name}`}>
                            {w.reject}
                          </button>
                        </form>
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

  const customerId = (request: FastifyRequest) => {
    const raw = (request.params as { id: string }).id;
    return /^\d{1,18}$/.test(raw) ? BigInt(raw) : undefined;
  };
  const actor = (request: FastifyRequest) => `staff:${request.staff!.email}`;

  scope.get('/staff/registrations', async (request, reply) => {
    const done = (request.query as { done?: string }).done;
    const w = workMessages(pageContext(request, reply, settings).t.lang);
    return render(request, reply, {
      notice: done === 'activated' ? w.activated : done === 'rejected' ? w.rejected : undefined,
    });
  });

  /** Known refusals (gone, no longer pending, no reason) show the page again with why. */
  const attempt = async (
    request: FastifyRequest,
    reply: FastifyReply,
    act: (id: bigint) => Promise<void>,
    done: string,
  ) => {
    const w = workMessages(pageContext(request, reply, settings).t.lang);
    const id = customerId(request);
    try {
      if (id === undefined) throw new NotFoundError('customer', 'invalid');
      await act(id);
    } catch (caught) {
      if (caught instanceof NotFoundError || caught instanceof ConflictError)
        return render(request, reply, { error: w.notPending }, 409);
      throw caught;
    }
    return reply.redirect(`/staff/registrations?done=${done}`, 303);
  };

  scope.post('/staff/registrations/:id/activate', csrf, (request, reply) =>
    attempt(request, reply, (id) => activateRegistration(core, id, actor(request)), 'activated'),
  );

  scope.post('/staff/registrations/:id/reject', csrf, async (request, reply) => {
    const reason = field(request.body, 'reason')?.trim().slice(0, 500) ?? '';
    if (!reason) {
      const w = workMessages(pageContext(request, reply, settings).t.lang);
      return render(request, reply, { error: w.reasonRequired }, 400);
    }
    return attempt(request, reply, (id) => rejectRegistration(core, id, reason, actor(request)), 'rejected');
  });
}
