import type { FastifyInstance } from 'fastify';
import { type ActorDirectory, actorDirectory } from '../../core/actors.js';
import { addDays, DEFAULT_BUSINESS_CALENDAR, zonedTimeToInstant } from '../../core/business-calendar.js';
import { type AuditFilter, listAuditLog } from '../../db/sql/list-audit-log.js';
import { toLocale } from '../../templates/format.js';
import { pageContext, sendPage, type WebDeps } from '../web-ui.js';
import { AuditContent, type AuditQuery } from './audit-view.js';
import { reportTexts } from './report-texts.js';
import { StaffLayout } from './staff-layout.js';
import { auditQuery, staffQuery } from './staff-query.js';

/** Entries per page of the audit log. */
export const AUDIT_PAGE_SIZE = 50;

/**
 * The filter of a query string already checked by {@link auditQuery} (staff-query.ts): dates are
 * days of the supported calendar, numbers fit their columns. The actor names a person: every form
 * of their actor is searched (`people`, actors.ts).
 */
export function auditFilterOf(query: AuditQuery, timeZone: string, people: ActorDirectory): AuditFilter {
  return {
    actors: query.actor ? people.match(query.actor) : undefined,
    action: query.action,
    ticketNumber: query.ticket ? Number(query.ticket) : undefined,
    customerId: query.customer ? BigInt(query.customer) : undefined,
    from: query.from ? zonedTimeToInstant(query.from, '00:00', timeZone) : undefined,
    to: query.to ? zonedTimeToInstant(addDays(query.to, 1), '00:00', timeZone) : undefined,
    beforeId: query.before ? BigInt(query.before) : undefined,
    limit: AUDIT_PAGE_SIZE + 1,
  };
}

/** `/staff/audit` (#25, item 5): the audit log for admins, filtered, newest first, read-only. */
export function registerAuditPages(admin: FastifyInstance, deps: WebDeps): void {
  const { core, settings } = deps;
  admin.get('/staff/audit', async (request, reply) => {
    const ctx = pageContext(request, reply, settings);
    const locale = toLocale(ctx.t.lang);
    const t = reportTexts(locale);
    const timeZone = (core.calendar ?? DEFAULT_BUSINESS_CALENDAR).timeZone;
    const query: AuditQuery = staffQuery(request, auditQuery);
    const people = await actorDirectory(core.database.db);
    const rows = await listAuditLog(core.database.sql, auditFilterOf(query, timeZone, people));
    return sendPage(
      reply,
      <StaffLayout {...ctx} title={t.audit} staff={request.staff} active="audit">
        <AuditContent
          t={t}
          locale={locale}
          timeZone={timeZone}
          query={query}
          rows={rows.slice(0, AUDIT_PAGE_SIZE)}
          people={people}
          more={rows.length > AUDIT_PAGE_SIZE}
        />
      </StaffLayout>,
    );
  });
}
