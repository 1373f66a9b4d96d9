import type { FastifyInstance } from 'fastify';
import { type ActorDirectory, actorDirectory } from '../../core/actors.js';
import { addDays, DEFAULT_BUSINESS_CALENDAR, zonedTimeToInstant } from '../../core/business-calendar.js';
import { type AuditFilter, listAuditLog } from '../../db/sql/list-audit-log.js';
import { toLocale } from '../../templates/format.js';
import { pageContext, sendPage, type WebDeps } from '../web-ui.js';
import { AuditContent, type AuditQuery } from './audit-view.js';
import { reportTexts } from './report-texts.js';
import { StaffLayout } from './staff-layout.js';

/** Entries per page of the audit log. */
export const AUDIT_PAGE_SIZE = 50;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The filter of a query string: bad values are dropped (and shown empty), never an error. */
export function auditFilterOf(query: AuditQuery, timeZone: string, people: ActorDirectory): AuditFilter {
  const text = (v: string | undefined) => (v?.trim() ? v.trim().slice(0, 200) : undefined);
  const whole = (v: string | undefined) => (v && /^\d{1,18}$/.test(v.trim()) ? v.trim() : undefined);
  const ticket = whole(query.ticket);
  const customer = whole(query.customer);
  const before = whole(query.before);
  const actor = text(query.actor);
  return {
    actors: actor ? people.match(actor) : undefined,
    action: text(query.action),
    ticketNumber: ticket && Number(ticket) <= 2 ** 31 ? Number(ticket) : undefined,
    customerId: customer ? BigInt(customer) : undefined,
    from: query.from && DATE.test(query.from) ? zonedTimeToInstant(query.from, '00:00', timeZone) : undefined,
    to:
      query.to && DATE.test(query.to)
        ? zonedTimeToInstant(addDays(query.to, 1), '00:00', timeZone)
        : undefined,
    beforeId: before ? BigInt(before) : undefined,
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
    const query = (request.query ?? {}) as AuditQuery;
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
