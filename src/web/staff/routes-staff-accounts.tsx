import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ConflictError } from '../../core/errors.js';
import { CsrfField, Field, Notice } from '../views/layout.js';
import { field, pageContext, sendPage, type WebDeps } from '../web-ui.js';
import {
  createStaffAccount,
  disableStaffAccount,
  issueStaffLink,
  listStaffAccounts,
  setStaffSlackUserId,
  staffAccountById,
} from './staff-accounts.js';
import { staffMessages } from './staff-i18n.js';
import { StaffLayout } from './staff-layout.js';
import { staffActor } from './staff-page.js';
import { RowForm, StaffTable } from './staff-table.js';

const SLACK_ID = /^[UW][A-Z0-9]{2,}$/;

/**
 * Admin page `/staff/accounts` (admin scope): the staff list; create a technician or admin (the
 * page shows the one-time set-password link to hand over), a new link, the Slack user id, disable.
 */
export function registerStaffAccountsPages(admin: FastifyInstance, deps: WebDeps): void {
  const { core, settings } = deps;
  const csrf = { preHandler: admin.csrfProtection };

  const render = async (
    request: FastifyRequest,
    reply: FastifyReply,
    state: { link?: string; error?: string; notice?: string; values?: Record<string, string> } = {},
    status = 200,
  ) => {
    const ctx = pageContext(request, reply, settings);
    const s = staffMessages(ctx.t.lang);
    const accounts = await listStaffAccounts(core);
    const v = state.values ?? {};
    return sendPage(
      reply,
      <StaffLayout {...ctx} title={s.navStaff} staff={request.staff} active="staff">
        {state.error && <Notice kind="error">{state.error}</Notice>}
        {state.notice && <Notice kind="ok">{state.notice}</Notice>}
        {state.link && (
          <Notice kind="ok">
            {s.inviteLink} <code class="uri">{state.link}</code>
          </Notice>
        )}
        <StaffTable
          label={s.navStaff}
          headers={[s.name, s.email, s.role, s.totp, s.slackUserId, s.status, s.actions]}
          rows={accounts.map((a) => (
            <tr key={a.id.toString()}>
              <td>{a.name}</td>
              <td>{a.email}</td>
              <td>{a.role === 'admin' ? s.roleAdmin : s.roleTechnician}</td>
              <td>{a.totpSecret ? s.totpOn : s.totpOff}</td>
              <td>
                <RowForm action={`/staff/accounts/${a.id}/slack`} csrfToken={ctx.csrfToken}>
                  <label for={`slack-${a.id}`} class="visually-hidden">
                    {`${s.slackUserId} ${a.name}`}
                  </label>
                  <input id={`slack-${a.id}`} name="slackUserId" value={a.slackUserId ?? ''} size={12} />
                  <button type="submit">{s.save}</button>
                </RowForm>
              </td>
              <td>{a.disabledAt ? s.disabled : s.enabled}</td>
              <td>
                {!a.disabledAt && (
                  <>
                    <RowForm action={`/staff/accounts/${a.id}/link`} csrfToken={ctx.csrfToken}>
                      <button type="submit">{s.newLink}</button>
                    </RowForm>
                    {a.id.toString() !== request.staff!.id && (
                      <RowForm action={`/staff/accounts/${a.id}/disable`} csrfToken={ctx.csrfToken}>
                        <button type="submit">{`${s.disable} ${a.name}`}</button>
                      </RowForm>
                    )}
                  </>
                )}
              </td>
            </tr>
          ))}
        />
        <h2>{s.newAccount}</h2>
        <form method="post" action="/staff/accounts">
          <CsrfField token={ctx.csrfToken} />
          <Field name="name" label={s.name} value={v.name} required />
          <Field name="email" type="email" label={s.email} value={v.email} required />
          <div class="field">
            <label for="f-role">{s.role}</label>
            <select id="f-role" name="role">
              <option value="technician" selected={v.role !== 'admin'}>
                {s.roleTechnician}
              </option>
              <option value="admin" selected={v.role === 'admin'}>
                {s.roleAdmin}
              </option>
            </select>
          </div>
          <Field name="slackUserId" label={s.slackUserId} hint={s.slackHint} value={v.slackUserId} />
          <button type="submit">{s.create}</button>
        </form>
      </StaffLayout>,
      status,
    );
  };

  admin.get('/staff/accounts', async (request, reply) => render(request, reply));

  admin.post('/staff/accounts', csrf, async (request, reply) => {
    const s = staffMessages(pageContext(request, reply, settings).t.lang);
    const values = {
      name: field(request.body, 'name')?.trim().slice(0, 200) ?? '',
      email: field(request.body, 'email')?.trim().slice(0, 320) ?? '',
      role: field(request.body, 'role') === 'admin' ? 'admin' : 'technician',
      slackUserId: field(request.body, 'slackUserId')?.trim() ?? '',
    };
    let error: string | undefined;
    if (!values.name) error = `${s.name}: ${s.required}`;
    else if (!z.email().safeParse(values.email).success) error = s.badEmail;
    else if (values.slackUserId && !SLACK_ID.test(values.slackUserId)) error = s.badSlackId;
    if (error) return render(request, reply, { error, values }, 400);
    try {
      const { link } = await createStaffAccount(
        core,
        { ...values, role: values.role as 'admin' | 'technician', slackUserId: values.slackUserId || null },
        staffActor(request),
      );
      return render(request, reply, { link });
    } catch (caught) {
      if (caught instanceof ConflictError) return render(request, reply, { error: s.exists, values }, 409);
      throw caught;
    }
  });

  admin.post('/staff/accounts/:id/link', csrf, async (request, reply) => {
    const account = await staffAccountById(core, (request.params as { id: string }).id);
    if (!account || account.disabledAt) return reply.redirect('/staff/accounts', 303);
    const link = await core.database.transaction((tx) => issueStaffLink(core, tx, account.id));
    return render(request, reply, { link });
  });

  admin.post('/staff/accounts/:id/slack', csrf, async (request, reply) => {
    const s = staffMessages(pageContext(request, reply, settings).t.lang);
    const account = await staffAccountById(core, (request.params as { id: string }).id);
    if (!account) return reply.redirect('/staff/accounts', 303);
    const slackUserId = field(request.body, 'slackUserId')?.trim() ?? '';
    if (slackUserId && !SLACK_ID.test(slackUserId))
      return render(request, reply, { error: s.badSlackId }, 400);
    try {
      await setStaffSlackUserId(core, account.id, slackUserId || null, staffActor(request));
    } catch (caught) {
      if (caught instanceof ConflictError) return render(request, reply, { error: s.exists }, 409);
      throw caught;
    }
    return render(request, reply, { notice: s.saved });
  });

  admin.post('/staff/accounts/:id/disable', csrf, async (request, reply) => {
    const account = await staffAccountById(core, (request.params as { id: string }).id);
    // An admin cannot disable themself (there would be nobody left to undo it).
    if (account && account.id.toString() !== request.staff!.id)
      await disableStaffAccount(core, account.id, staffActor(request));
    return reply.redirect('/staff/accounts', 303);
  });
}
