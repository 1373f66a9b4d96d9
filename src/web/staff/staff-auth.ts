import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { DraftKeeper } from '../kept-drafts.js';
import { pageContext, sendPage, type WebDeps } from '../web-ui.js';
import { type StaffAccountRow, type StaffRole, staffAccountById } from './staff-accounts.js';
import { staffMessages } from './staff-i18n.js';
import { StaffMessagePage } from './staff-layout.js';
import { expiredStaffPost } from './staff-text-posts.js';

export type { StaffRole } from './staff-accounts.js';

/** Who is signed in to the staff dashboard (set on the request by {@link staffGuard}). */
export interface StaffMember {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  slackUserId: string | null;
  /** Whether the account has the TOTP second factor. */
  totpEnabled: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    staff?: StaffMember;
  }
  interface Session {
    /** The staff account signed in (both steps done). */
    staffId?: string;
    /** Password right, TOTP code still to give: the account and when (ms since the epoch). */
    staffPendingId?: string;
    staffPendingAt?: number;
    /** Where to go after signing in (a /staff path). */
    staffNext?: string;
    /** A TOTP secret being enrolled, until confirmed with a code. */
    staffTotpSecret?: string;
  }
}

/** The enrolment page, reachable by an admin without TOTP when STAFF_REQUIRE_2FA=true. */
export const TOTP_ENROL_PATH = '/staff/account/totp';

export function toStaffMember(row: StaffAccountRow): StaffMember {
  return {
    id: row.id.toString(),
    email: row.email,
    name: row.name,
    role: row.role as StaffRole,
    slackUserId: row.slackUserId,
    totpEnabled: Boolean(row.totpSecret),
  };
}

/** A `next` that stays on the staff dashboard (never another site: no open redirect). */
export function safeNext(next: string | undefined): string {
  return next && /^\/staff(\/[\w\-./?=&%]*)?$/.test(next) && !next.startsWith('//') ? next : '/staff';
}

/**
 * The staff pages' guard (a preHandler of their scope): not signed in, or the account was disabled
 * since: a redirect to `/staff/sign-in?next=…`; an admin without TOTP while STAFF_REQUIRE_2FA=true:
 * to the enrolment page before anything else; `required: 'admin'` and a technician: a 403 page.
 * Otherwise `request.staff` is the signed-in member. The account is read at every request, so
 * disabling or a role change takes effect at once. With `drafts` (the staff keeper), a signed-in
 * browser's draft key is bound to the member, and a reply or note posted without a session is kept
 * for after the sign-in (staff-text-posts.tsx) instead of being dropped by the redirect.
 */
export function staffGuard(
  deps: WebDeps,
  required?: 'admin',
  drafts?: DraftKeeper,
): preHandlerAsyncHookHandler {
  return async function guard(request: FastifyRequest, reply: FastifyReply) {
    const id = request.session.staffId;
    const row = id ? await staffAccountById(deps.core, id) : undefined;
    if (!row || row.disabledAt || !row.passwordHash) {
      if (id) request.session.staffId = undefined;
      // Signed out (not a disabled account): a reply or note just written is kept, not dropped.
      if (!id && drafts && (await expiredStaffPost(request, reply, deps, drafts))) return reply;
      const next = request.method === 'GET' ? request.url : '/staff';
      await reply.redirect(`/staff/sign-in?next=${encodeURIComponent(next)}`, 303);
      return reply;
    }
    const staff = toStaffMember(row);
    request.staff = staff;
    drafts?.claim(request, reply, staff.id);
    const path = request.url.split('?')[0];
    if (
      deps.settings.staffRequire2fa &&
      staff.role === 'admin' &&
      !staff.totpEnabled &&
      path !== TOTP_ENROL_PATH
    ) {
      await reply.redirect(TOTP_ENROL_PATH, 303);
      return reply;
    }
    if (required === 'admin' && staff.role !== 'admin') {
      const ctx = pageContext(request, reply, deps.settings);
      const s = staffMessages(ctx.t.lang);
      await sendPage(
        reply,
        StaffMessagePage({ ...ctx, staff, title: s.forbidden, text: s.forbidden, kind: 'error' }),
        403,
      );
      return reply;
    }
  };
}
