import type { FastifyInstance } from 'fastify';
import type { DraftKeeper } from '../kept-drafts.js';
import type { WebDeps } from '../web-ui.js';
import { registerCustomerPages } from './customer-pages.js';
import { registerAuditPages } from './routes-audit.js';
import { registerReportPages } from './routes-reports.js';
import { registerStaffAccountPages } from './routes-staff-account.js';
import { registerStaffAccountsPages } from './routes-staff-accounts.js';
import { registerRegistrationPages } from './routes-staff-registrations.js';
import { registerUnmatchedPages } from './routes-staff-unmatched.js';
import { registerTicketPages } from './routes-tickets.js';
import { registerSettingsPages } from './settings-pages.js';
import { staffGuard } from './staff-auth.js';
import { registerStaffAuthRoutes } from './staff-auth-routes.js';

/**
 * The staff dashboard (#25) inside the web UI's scope (sessions, CSRF, rate limits, CSP are the
 * portal's): sign-in pages open to all, then two guarded scopes — every signed-in staff member, and
 * admins only. Page modules register into the scope that fits (contract: docs of #25). `drafts` is
 * the staff draft keeper (kept-drafts.ts, `owner: 'staff'`): replies and notes kept across a sign-in.
 */
export async function registerStaffPages(
  web: FastifyInstance,
  deps: WebDeps,
  drafts: DraftKeeper,
): Promise<void> {
  registerStaffAuthRoutes(web, deps, drafts);

  await web.register(async (scope) => {
    scope.addHook('preHandler', staffGuard(deps, undefined, drafts));
    scope.get('/staff', async (_request, reply) => reply.redirect('/staff/tickets', 303));
    registerStaffAccountPages(scope, deps);
    registerCustomerPages(scope, deps);
    registerTicketPages(scope, deps, drafts);
    registerReportPages(scope, deps);
    registerRegistrationPages(scope, deps);
    registerUnmatchedPages(scope, deps);
  });

  await web.register(async (admin) => {
    admin.addHook('preHandler', staffGuard(deps, 'admin', drafts));
    registerStaffAccountsPages(admin, deps);
    registerSettingsPages(admin, deps);
    registerAuditPages(admin, deps);
  });
}
