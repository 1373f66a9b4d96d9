import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  activateRegistration,
  listPendingRegistrations,
  type PendingRegistration,
  rejectRegistration,
} from '../../core/registrations.js';
import { dateTime } from '../views/dates.js';
import type { PageContext } from '../views/layout.js';
import { field, type WebDeps } from '../web-ui.js';
import { staffMessages } from './staff-i18n.js';
import { navLabel } from './staff-layout.js';
import { actOnId, doneNotice, type PageState, staffActor, staffPageKit } from './staff-page.js';
import { RowForm, RowInput, StaffTable } from './staff-table.js';
import { type WorkMessages, workMessages } from './work-i18n.js';

const MINUTE_MS = 60_000;

/** Hours and minutes of a span (ms), rounded down to the minute. */
const hoursMinutes = (ms: number): [number, number] => {
  const minutes = Math.floor(Math.abs(ms) / MINUTE_MS);
  return [Math.floor(minutes / 60), minutes % 60];
};

/** One pending registration: who, when, the T1 clock, Activate and Reject (with a reason). */
function RegistrationRow(props: { ctx: PageContext; w: WorkMessages; r: PendingRegistration; now: number }) {
  const { ctx, w, r } = props;
  const id = r.customerId.toString();
  const rest = r.deadline.getTime() - props.now;
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
        <RowForm action={`/staff/registrations/${id}/activate`} csrfToken={ctx.csrfToken}>
          <button type="submit" aria-label={`${w.activate} ${r.name}`}>
            {w.activate}
          </button>
        </RowForm>
        <RowForm action={`/staff/registrations/${id}/reject`} csrfToken={ctx.csrfToken}>
          <RowInput id={`reason-${id}`} name="reason" label={w.reason} maxLength={500} />
          <button type="submit" aria-label={`${w.reject} ${r.name}`}>
            {w.reject}
          </button>
        </RowForm>
      </td>
    </tr>
  );
}

/**
 * `/staff/registrations` (every staff member, #25): pending customers with the T1 clock
 * (ACTIVATION_DEADLINE_HOURS after registering; overdue rows marked in colour and in words),
 * Activate, and Reject with a reason. The customer is told either way (src/core/registrations.ts).
 */
export function registerRegistrationPages(scope: FastifyInstance, deps: WebDeps): void {
  const { csrf, texts, renderer } = staffPageKit(scope, deps, workMessages);
  const render = renderer<PageState>({
    active: 'registrations',
    body: async (ctx, w) => {
      const pending = await listPendingRegistrations(deps.core);
      const now = deps.core.now().getTime();
      return (
        <StaffTable
          label={navLabel('registrations', staffMessages(ctx.t.lang))}
          headers={[w.customer, w.contact, w.registeredAt, w.deadline, w.actions]}
          empty={w.noPending}
          rows={pending.map((r) => <RegistrationRow ctx={ctx} w={w} r={r} now={now} />)}
        />
      );
    },
  });

  scope.get('/staff/registrations', async (request, reply) => {
    const w = texts(request, reply);
    return render(request, reply, {
      notice: doneNotice(request, { activated: w.activated, rejected: w.rejected }),
    });
  });

  /** Known refusals (gone, no longer pending) show the page again with why. */
  const attempt = (
    request: FastifyRequest,
    reply: FastifyReply,
    act: (id: bigint) => Promise<void>,
    done: string,
  ) =>
    actOnId(
      request,
      async (id) => {
        await act(id);
        return reply.redirect(`/staff/registrations?done=${done}`, 303);
      },
      () => render(request, reply, { error: texts(request, reply).notPending }, 409),
    );

  scope.post('/staff/registrations/:id/activate', csrf, (request, reply) =>
    attempt(request, reply, (id) => activateRegistration(deps.core, id, staffActor(request)), 'activated'),
  );

  scope.post('/staff/registrations/:id/reject', csrf, async (request, reply) => {
    const reason = field(request.body, 'reason')?.trim().slice(0, 500) ?? '';
    if (!reason) return render(request, reply, { error: texts(request, reply).reasonRequired }, 400);
    return attempt(
      request,
      reply,
      (id) => rejectRegistration(deps.core, id, reason, staffActor(request)),
      'rejected',
    );
  });
}
