import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { toLocale } from '../templates/format.js';
import {
  acceptTerms,
  accountForToken,
  currentTerms,
  register,
  requestPasswordReset,
  setPassword,
} from './accounts.js';
import type { DraftKeeper } from './kept-drafts.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './passwords.js';
import { registrationValues, validateRegistration } from './registration-form.js';
import { signIn } from './sign-in.js';
import {
  AcceptTermsPage,
  ForgotPage,
  MessagePage,
  RegisterPage,
  SetPasswordPage,
  SignInPage,
} from './views/auth-pages.js';
import { field, pageContext, sendPage, type WebDeps } from './web-ui.js';

/** Per address, per minute: enough for a person, too few for a script guessing passwords. */
const FORM_RATE_LIMIT = { rateLimit: { max: 20, timeWindow: '1 minute' } };

/** Registration, set/reset password, sign-in and sign-out, new terms at sign-in (T1, T9). */
export function registerAuthRoutes(web: FastifyInstance, deps: WebDeps, drafts: DraftKeeper): void {
  const { core, settings } = deps;
  const csrf = { onRequest: undefined, preHandler: web.csrfProtection };
  const ctxOf = (request: Parameters<typeof pageContext>[0], reply: Parameters<typeof pageContext>[1]) =>
    pageContext(request, reply, settings);

  web.get('/', async (request, reply) => reply.redirect(request.session.customerId ? '/portal' : '/signin'));

  web.get('/register', async (request, reply) => {
    // Signed in already: a second registration would make a second customer of the same person.
    if (request.session.customerId) return reply.redirect('/portal', 303);
    const ctx = ctxOf(request, reply);
    const terms = await currentTerms(core);
    return sendPage(
      reply,
      <RegisterPage ctx={ctx} values={{ kind: 'company' }} errors={{}} terms={terms!} />,
    );
  });

  web.post('/register', { ...csrf, config: FORM_RATE_LIMIT }, async (request, reply) => {
    if (request.session.customerId) return reply.redirect('/portal', 303);
    const ctx = ctxOf(request, reply);
    const terms = (await currentTerms(core))!;
    const values = registrationValues(request.body);
    const { errors, registration } = validateRegistration(values, ctx.t, terms.version, toLocale(ctx.t.lang));
    if (!registration) {
      return sendPage(reply, <RegisterPage ctx={ctx} values={values} errors={errors} terms={terms} />, 400);
    }
    await register(core, registration);
    // The same page whether the address was new or known (no account enumeration).
    return reply.redirect('/register/done', 303);
  });

  web.get('/register/done', async (request, reply) => {
    const ctx = ctxOf(request, reply);
    return sendPage(
      reply,
      <MessagePage ctx={ctx} title={ctx.t.registered} text={ctx.t.registeredText} kind="ok" />,
    );
  });

  web.get('/password', async (request, reply) => {
    const ctx = ctxOf(request, reply);
    const token = (request.query as { token?: string }).token ?? '';
    const account = token ? await accountForToken(core, token) : undefined;
    if (!account)
      return sendPage(
        reply,
        <MessagePage ctx={ctx} title={ctx.t.setPassword} text={ctx.t.badLink} kind="error" />,
        400,
      );
    return sendPage(reply, <SetPasswordPage ctx={ctx} token={token} email={account.email} />);
  });

  web.post('/password', { ...csrf, config: FORM_RATE_LIMIT }, async (request, reply) => {
    const ctx = ctxOf(request, reply);
    const token = field(request.body, 'token') ?? '';
    const password = field(request.body, 'password') ?? '';
    const account = token ? await accountForToken(core, token) : undefined;
    if (!account)
      return sendPage(
        reply,
        <MessagePage ctx={ctx} title={ctx.t.setPassword} text={ctx.t.badLink} kind="error" />,
        400,
      );
    if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
      return sendPage(
        reply,
        <SetPasswordPage ctx={ctx} token={token} email={account.email} error={ctx.t.shortPassword} />,
        400,
      );
    }
    const done = await setPassword(core, token, password);
    if (!done)
      return sendPage(
        reply,
        <MessagePage ctx={ctx} title={ctx.t.setPassword} text={ctx.t.badLink} kind="error" />,
        400,
      );
    return reply.redirect('/signin?done=password', 303);
  });

  web.get('/signin', async (request, reply) => {
    const ctx = ctxOf(request, reply);
    const done = (request.query as { done?: string }).done === 'password';
    return sendPage(reply, <SignInPage ctx={ctx} notice={done ? ctx.t.passwordSet : undefined} />);
  });

  web.post('/signin', { ...csrf, config: FORM_RATE_LIMIT }, async (request, reply) => {
    const ctx = ctxOf(request, reply);
    const email = field(request.body, 'email')?.slice(0, 320) ?? '';
    const password = field(request.body, 'password')?.slice(0, MAX_PASSWORD_LENGTH) ?? '';
    const result = await signIn(core, settings, email, password);
    if (result.status !== 'ok') {
      const error = result.status === 'locked' ? ctx.t.locked : ctx.t.badSignIn;
      return sendPage(
        reply,
        <SignInPage ctx={ctx} email={email} error={error} />,
        result.status === 'locked' ? 429 : 401,
      );
    }
    // A new session id at sign-in: a session fixed before it is worth nothing (OWASP).
    await request.session.regenerate();
    request.session.customerId = result.customerId.toString();
    request.session.login = email.trim().toLowerCase();
    // A post kept when the session expired: back to the page of its form, where it is shown.
    drafts.claim(request, reply, request.session.customerId);
    const kept = await drafts.find(request, request.session.customerId);
    const number = kept?.ticketNumber;
    return reply.redirect(number === undefined ? '/portal' : `/portal/tickets/${number}`, 303);
  });

  web.post('/signout', csrf, async (request, reply) => {
    await request.session.destroy();
    return reply.redirect('/signin', 303);
  });

  web.get('/password/forgot', async (request, reply) => {
    const ctx = ctxOf(request, reply);
    return sendPage(reply, <ForgotPage ctx={ctx} sent={false} />);
  });

  web.post('/password/forgot', { ...csrf, config: FORM_RATE_LIMIT }, async (request, reply) => {
    const ctx = ctxOf(request, reply);
    const email = field(request.body, 'email')?.trim() ?? '';
    if (!z.email().safeParse(email).success) {
      return sendPage(reply, <ForgotPage ctx={ctx} sent={false} error={ctx.t.badEmail} />, 400);
    }
    await requestPasswordReset(core, email);
    return sendPage(reply, <ForgotPage ctx={ctx} sent />);
  });

  web.get('/terms/accept', async (request, reply) => {
    if (!request.session.customerId) return reply.redirect('/signin');
    const ctx = ctxOf(request, reply);
    return sendPage(reply, <AcceptTermsPage ctx={ctx} terms={(await currentTerms(core))!} />);
  });

  web.post('/terms/accept', csrf, async (request, reply) => {
    if (!request.session.customerId) return reply.redirect('/signin', 303);
    const terms = (await currentTerms(core))!;
    if (field(request.body, 'version') === terms.version) {
      await acceptTerms(core, BigInt(request.session.customerId), terms.version);
    }
    return reply.redirect('/portal', 303);
  });
}
