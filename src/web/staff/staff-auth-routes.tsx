import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { staffActor } from '../../core/actors.js';
import { audit } from '../../core/audit.js';
import { SecretKeyError } from '../../core/errors.js';
import type { DraftKeeper } from '../kept-drafts.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../passwords.js';
import { field, pageContext, sendPage, type WebDeps } from '../web-ui.js';
import { createFirstAdmin, isFirstAdminToken } from './first-admin.js';
import {
  checkStaffPassword,
  isStaffLocked,
  recordStaffFailure,
  recordStaffSuccess,
  setStaffPassword,
  staffAccountById,
  staffAccountForToken,
} from './staff-accounts.js';
import { safeNext } from './staff-auth.js';
import { FirstAdminPage, StaffCodePage, StaffSetPasswordPage, StaffSignInPage } from './staff-auth-pages.js';
import { staffMessages } from './staff-i18n.js';
import { StaffMessagePage } from './staff-layout.js';
import { useTotpCode } from './staff-totp.js';

/** Per address, per minute, as the portal's forms: enough for a person, too few for a script. */
const FORM_RATE_LIMIT = { rateLimit: { max: 20, timeWindow: '1 minute' } };

/** The TOTP step must follow the password within this time (ms). */
const CODE_STEP_MS = 5 * 60_000;

/**
 * Staff sign-in (password, then the TOTP code when the account has one), sign-out and the one-time
 * set-password page. Outside the guard. Wrong email and wrong password get the same answer.
 */
export function registerStaffAuthRoutes(web: FastifyInstance, deps: WebDeps, drafts: DraftKeeper): void {
  const { core, settings } = deps;
  const csrf = { preHandler: web.csrfProtection };
  const ctxOf = (request: FastifyRequest, reply: FastifyReply) => pageContext(request, reply, settings);

  const completeSignIn = async (request: FastifyRequest, reply: FastifyReply, id: bigint) => {
    const next = safeNext(request.session.staffNext);
    await recordStaffSuccess(core, id);
    request.session.staffPendingId = undefined;
    request.session.staffPendingAt = undefined;
    request.session.staffNext = undefined;
    request.session.staffId = id.toString();
    await core.database.transaction((tx) => audit(tx, { actor: staffActor(id), action: 'staff.signed_in' }));
    // A reply or note kept when the session expired: back to its ticket, where it is in the form.
    drafts.claim(request, reply, id.toString());
    const kept = await drafts.find(request, id.toString());
    return reply.redirect(kept?.ticketNumber ? `/staff/tickets/${kept.ticketNumber}` : next, 303);
  };

  web.get('/staff/sign-in', async (request, reply) => {
    const ctx = ctxOf(request, reply);
    const s = staffMessages(ctx.t.lang);
    const query = request.query as { next?: string; done?: string };
    const notice = query.done === 'password' ? s.passwordSet : undefined;
    return sendPage(reply, <StaffSignInPage {...ctx} next={safeNext(query.next)} notice={notice} />);
  });

  web.post('/staff/sign-in', { ...csrf, config: FORM_RATE_LIMIT }, async (request, reply) => {
    const ctx = ctxOf(request, reply);
    const s = staffMessages(ctx.t.lang);
    const email = field(request.body, 'email')?.slice(0, 320) ?? '';
    const password = field(request.body, 'password')?.slice(0, MAX_PASSWORD_LENGTH) ?? '';
    const next = safeNext(field(request.body, 'next'));
    const result = await checkStaffPassword(core, settings, email, password);
    if (result.status !== 'ok') {
      const locked = result.status === 'locked';
      return sendPage(
        reply,
        <StaffSignInPage {...ctx} next={next} email={email} error={locked ? s.locked : s.badSignIn} />,
        locked ? 429 : 401,
      );
    }
    // A new session id at sign-in: a session fixed before it is worth nothing (OWASP).
    await request.session.regenerate();
    request.session.staffNext = next;
    const { account } = result;
    if (!account.totpSecret) return completeSignIn(request, reply, account.id);
    request.session.staffPendingId = account.id.toString();
    request.session.staffPendingAt = core.now().getTime();
    return reply.redirect('/staff/sign-in/code', 303);
  });

  const pendingAccount = async (request: FastifyRequest) => {
    const { staffPendingId, staffPendingAt } = request.session;
    if (!staffPendingId || !staffPendingAt || core.now().getTime() - staffPendingAt > CODE_STEP_MS)
      return undefined;
    const account = await staffAccountById(core, staffPendingId);
    return account && !account.disabledAt ? account : undefined;
  };

  web.get('/staff/sign-in/code', async (request, reply) => {
    if (!(await pendingAccount(request))) return reply.redirect('/staff/sign-in', 303);
    return sendPage(reply, <StaffCodePage {...ctxOf(request, reply)} />);
  });

  web.post('/staff/sign-in/code', { ...csrf, config: FORM_RATE_LIMIT }, async (request, reply) => {
    const ctx = ctxOf(request, reply);
    const s = staffMessages(ctx.t.lang);
    const account = await pendingAccount(request);
    if (!account) {
      const page = (
        <StaffSignInPage {...ctx} next={safeNext(request.session.staffNext)} error={s.codeExpired} />
      );
      return sendPage(reply, page, 401);
    }
    if (isStaffLocked(core, account)) {
      request.session.staffPendingId = undefined;
      return sendPage(reply, <StaffSignInPage {...ctx} next="/staff" error={s.locked} />, 429);
    }
    const usable = await useTotpCode(core, deps.totpBox, account, field(request.body, 'code') ?? '').catch(
      (error: unknown) => {
        if (!(error instanceof SecretKeyError)) throw error;
        request.log.error({ err: error }, 'staff TOTP secret does not open');
        return 'key' as const;
      },
    );
    if (usable === 'key') return sendPage(reply, <StaffCodePage {...ctx} error={s.totpKeyLost} />, 500);
    if (!usable) {
      await recordStaffFailure(core, settings, account);
      return sendPage(reply, <StaffCodePage {...ctx} error={s.badCode} />, 401);
    }
    return completeSignIn(request, reply, account.id);
  });

  web.post('/staff/sign-out', csrf, async (request, reply) => {
    request.session.staffId = undefined;
    request.session.staffPendingId = undefined;
    request.session.staffTotpSecret = undefined;
    return reply.redirect('/staff/sign-in', 303);
  });

  const badLink = (request: FastifyRequest, reply: FastifyReply) => {
    const ctx = ctxOf(request, reply);
    const s = staffMessages(ctx.t.lang);
    return sendPage(
      reply,
      <StaffMessagePage {...ctx} title={s.setPassword} text={s.badLink} kind="error" />,
      400,
    );
  };

  const firstAdmin = async (request: FastifyRequest, reply: FastifyReply, token: string) => {
    const ctx = ctxOf(request, reply);
    const s = staffMessages(ctx.t.lang);
    const values = {
      email: field(request.body, 'email')?.trim().slice(0, 320) ?? '',
      name: field(request.body, 'name')?.trim().slice(0, 200) ?? '',
    };
    const password = field(request.body, 'password') ?? '';
    const errors: Record<string, string> = {};
    if (!values.name) errors.name = s.required;
    if (!z.email().safeParse(values.email).success) errors.email = s.badEmail;
    if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH)
      errors.password = s.shortPassword;
    if (Object.keys(errors).length > 0) {
      return sendPage(reply, <FirstAdminPage {...ctx} token={token} values={values} errors={errors} />, 400);
    }
    if (!(await createFirstAdmin(core, token, { ...values, password }))) return badLink(request, reply);
    return reply.redirect('/staff/sign-in?done=password', 303);
  };

  web.get('/staff/set-password', async (request, reply) => {
    const token = (request.query as { token?: string }).token ?? '';
    const account = token ? await staffAccountForToken(core, token) : undefined;
    if (!account && token && (await isFirstAdminToken(core, token))) {
      return sendPage(
        reply,
        <FirstAdminPage {...ctxOf(request, reply)} token={token} values={{}} errors={{}} />,
      );
    }
    if (!account) return badLink(request, reply);
    return sendPage(
      reply,
      <StaffSetPasswordPage {...ctxOf(request, reply)} token={token} email={account.email} />,
    );
  });

  web.post('/staff/set-password', { ...csrf, config: FORM_RATE_LIMIT }, async (request, reply) => {
    const token = field(request.body, 'token') ?? '';
    const password = field(request.body, 'password') ?? '';
    const account = token ? await staffAccountForToken(core, token) : undefined;
    if (!account && token && (await isFirstAdminToken(core, token))) return firstAdmin(request, reply, token);
    if (!account) return badLink(request, reply);
    if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
      const ctx = ctxOf(request, reply);
      const page = (
        <StaffSetPasswordPage
          {...ctx}
          token={token}
          email={account.email}
          error={staffMessages(ctx.t.lang).shortPassword}
        />
      );
      return sendPage(reply, page, 400);
    }
    if (!(await setStaffPassword(core, token, password))) return badLink(request, reply);
    return reply.redirect('/staff/sign-in?done=password', 303);
  });
}
