import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SecretKeyError } from '../../core/errors.js';
import { CsrfField, Notice } from '../views/layout.js';
import { field, pageContext, sendPage, type WebDeps } from '../web-ui.js';
import { staffAccountById } from './staff-accounts.js';
import { TOTP_ENROL_PATH } from './staff-auth.js';
import { CodeField } from './staff-auth-pages.js';
import { staffMessages } from './staff-i18n.js';
import { StaffLayout } from './staff-layout.js';
import { doneQuery, staffQuery } from './staff-query.js';
import { disableTotp, enableTotp, newTotpSecret, totpQrSvg, totpUri, useTotpCode } from './staff-totp.js';

/** The signed-in member's own account: role, Slack id, the TOTP second factor (enrol, turn off). */
export function registerStaffAccountPages(scope: FastifyInstance, deps: WebDeps): void {
  const { core, settings } = deps;
  const csrf = { preHandler: scope.csrfProtection };
  const requiredFor = (role: string) => role === 'admin' && Boolean(settings.staffRequire2fa);

  scope.get('/staff/account', async (request, reply) => {
    const ctx = pageContext(request, reply, settings);
    const s = staffMessages(ctx.t.lang);
    const staff = request.staff!;
    const { done } = staffQuery(request, doneQuery);
    return sendPage(
      reply,
      <StaffLayout {...ctx} title={s.navAccount} staff={staff} active="account">
        {done === 'totp-on' && <Notice kind="ok">{s.totpEnabled}</Notice>}
        {done === 'totp-off' && <Notice kind="ok">{s.totpDisabled}</Notice>}
        <dl>
          <dt>{s.name}</dt>
          <dd>{staff.name}</dd>
          <dt>{s.email}</dt>
          <dd>{staff.email}</dd>
          <dt>{s.role}</dt>
          <dd>{staff.role === 'admin' ? s.roleAdmin : s.roleTechnician}</dd>
          <dt>{s.slackUserId}</dt>
          <dd>{staff.slackUserId ?? '—'}</dd>
          <dt>{s.totp}</dt>
          <dd>{staff.totpEnabled ? s.totpOn : s.totpOff}</dd>
        </dl>
        {!staff.totpEnabled && (
          <p>
            <a href={TOTP_ENROL_PATH}>{s.totpEnrol}</a>
          </p>
        )}
        {staff.totpEnabled && !requiredFor(staff.role) && (
          <form method="post" action="/staff/account/totp/off">
            <CsrfField token={ctx.csrfToken} />
            <CodeField label={s.codeLabel} />
            <button type="submit">{s.totpDisable}</button>
          </form>
        )}
        {staff.totpEnabled && requiredFor(staff.role) && <p>{s.totpCannotDisable}</p>}
      </StaffLayout>,
    );
  });

  /**
   * The secret being enrolled, kept in the session (the store) sealed like the account's; a new
   * one when `create` and there is none (or it no longer opens: the key changed).
   */
  const enrolmentSecret = (request: FastifyRequest, create: boolean): string | undefined => {
    const staffId = request.staff!.id;
    const kept = request.session.staffTotpSecret;
    try {
      if (kept) return deps.totpBox.open(kept, staffId);
    } catch (error) {
      if (!(error instanceof SecretKeyError)) throw error;
    }
    if (!create) return undefined;
    const secret = newTotpSecret();
    request.session.staffTotpSecret = deps.totpBox.seal(secret, staffId);
    return secret;
  };

  const enrolPage = async (
    request: Parameters<typeof pageContext>[0],
    reply: Parameters<typeof pageContext>[1],
    error?: string,
  ) => {
    const ctx = pageContext(request, reply, settings);
    const s = staffMessages(ctx.t.lang);
    const staff = request.staff!;
    const uri = totpUri(core, staff.email, enrolmentSecret(request, true)!);
    const qr = `data:image/svg+xml;base64,${Buffer.from(await totpQrSvg(uri)).toString('base64')}`;
    return sendPage(
      reply,
      <StaffLayout {...ctx} title={s.totpEnrol} staff={staff} active="account">
        {requiredFor(staff.role) && <Notice kind="info">{s.totpRequired}</Notice>}
        {error && <Notice kind="error">{error}</Notice>}
        <p>{s.totpScan}</p>
        <img class="qr" src={qr} alt={s.totpQr} width={220} height={220} />
        <p>
          {s.totpUri}: <code class="uri">{uri}</code>
        </p>
        <form method="post" action={TOTP_ENROL_PATH}>
          <CsrfField token={ctx.csrfToken} />
          <CodeField label={s.codeLabel} />
          <button type="submit">{s.verify}</button>
        </form>
      </StaffLayout>,
      error ? 400 : 200,
    );
  };

  scope.get(TOTP_ENROL_PATH, async (request, reply) => {
    if (request.staff!.totpEnabled) return reply.redirect('/staff/account', 303);
    return enrolPage(request, reply);
  });

  scope.post(TOTP_ENROL_PATH, csrf, async (request, reply) => {
    const staff = request.staff!;
    const secret = enrolmentSecret(request, false);
    if (staff.totpEnabled) return reply.redirect('/staff/account', 303);
    const ok =
      secret &&
      (await enableTotp(
        core,
        deps.totpBox,
        { id: BigInt(staff.id), email: staff.email },
        secret,
        field(request.body, 'code') ?? '',
      ));
    if (!ok)
      return enrolPage(request, reply, staffMessages(pageContext(request, reply, settings).t.lang).badCode);
    request.session.staffTotpSecret = undefined;
    return reply.redirect('/staff/account?done=totp-on', 303);
  });

  scope.post('/staff/account/totp/off', csrf, async (request, reply) => {
    const staff = request.staff!;
    const account = await staffAccountById(core, staff.id);
    if (!account?.totpSecret || requiredFor(staff.role)) return reply.redirect('/staff/account', 303);
    if (!(await useTotpCode(core, deps.totpBox, account, field(request.body, 'code') ?? ''))) {
      const ctx = pageContext(request, reply, settings);
      const s = staffMessages(ctx.t.lang);
      return sendPage(
        reply,
        <StaffLayout {...ctx} title={s.navAccount} staff={staff} active="account">
          <Notice kind="error">{s.badCode}</Notice>
          <p>
            <a href="/staff/account">{s.navAccount}</a>
          </p>
        </StaffLayout>,
        400,
      );
    }
    await disableTotp(core, account);
    return reply.redirect('/staff/account?done=totp-off', 303);
  });
}
