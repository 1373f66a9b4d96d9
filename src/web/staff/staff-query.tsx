/**
 * The query strings of the staff pages (#25), checked with zod as the REST API checks its requests
 * (the same `storedText`, `dateField` and `monthField`, src/api/schemas.ts and
 * src/core/date-bounds.ts). A bad value is never dropped nor replaced: {@link staffQuery} throws
 * {@link StaffQueryRefused}, which the web pages' error handler answers with a 400 page naming each
 * field and what is wrong, in Italian then English. An empty value (a form's blank filter) is
 * absent; text is trimmed.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { storedText } from '../../api/schemas.js';
import { dateField, EARLIEST_DATE, LATEST_DATE, monthField } from '../../core/date-bounds.js';
import { isWeek } from '../../core/reports/periods.js';
import { DEADLINE_STATES } from '../../core/ticket-search.js';
import { CUSTOMER_STATUSES, TICKET_STATUSES } from '../../db/statuses.js';
import type { PageContext } from '../views/layout.js';
import type { StaffMember } from './staff-auth.js';
import { StaffLayout } from './staff-layout.js';

/** Italian, then English: what a staff member reads whatever the page's language. */
const both = (it: string, en: string) => `${it} / ${en}`;

/** The largest ticket number (PostgreSQL `integer`). */
export const MAX_TICKET_NUMBER = 2_147_483_647;

const MESSAGES = {
  text: both(
    'contiene un carattere NUL o Unicode non valido (un surrogato isolato): lo tolga',
    'contains a NUL character or invalid Unicode (a lone surrogate); remove it',
  ),
  id: both('un numero identificativo (solo cifre, da 1)', 'an id (digits only, from 1)'),
  date: both(
    `una data esistente come 2026-03-31, dal ${EARLIEST_DATE} al ${LATEST_DATE}`,
    `a day of the calendar like 2026-03-31, from ${EARLIEST_DATE} to ${LATEST_DATE}`,
  ),
  month: both(
    `un mese come 2026-03, dal ${EARLIEST_DATE.slice(0, 7)} al ${LATEST_DATE.slice(0, 7)}`,
    `a month like 2026-03, from ${EARLIEST_DATE.slice(0, 7)} to ${LATEST_DATE.slice(0, 7)}`,
  ),
  week: both(
    `una settimana ISO come 2026-W09, anni dal ${EARLIEST_DATE.slice(0, 4)} al ${LATEST_DATE.slice(0, 4)}`,
    `an ISO week like 2026-W09, years ${EARLIEST_DATE.slice(0, 4)} to ${LATEST_DATE.slice(0, 4)}`,
  ),
  key: both('un codice di poche lettere minuscole', 'a short code of lower-case letters'),
};

/** Blank is absent; text is trimmed; anything else (a repeated parameter: an array) goes to `schema`. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.trim() || undefined : v), schema.optional());

/** Free text of at most `max` UTF-16 units that PostgreSQL can store. */
export const textParam = (max: number) => optional(storedText(MESSAGES.text).max(max));

/** A whole number from 1 to `max`, kept as its digits. */
export const wholeParam = (max: number) =>
  optional(
    z.string().refine((v) => /^\d{1,10}$/.test(v) && Number(v) >= 1 && Number(v) <= max, {
      message: both(`un numero intero da 1 a ${max}`, `a whole number from 1 to ${max}`),
    }),
  );

/** A bigint id (digits, 1 to 18 of them, not 0), kept as its digits. */
export const idParam = () =>
  optional(z.string().refine((v) => /^\d{1,18}$/.test(v) && BigInt(v) > 0n, { message: MESSAGES.id }));

/** One of `values`. */
export const oneOfParam = <const T extends readonly [string, ...string[]]>(values: T) =>
  optional(z.enum(values));

/** A `YYYY-MM-DD` of the supported calendar (docs/date-bounds.md). */
export const dateParam = () => optional(dateField(MESSAGES.date));
/** A `YYYY-MM` of the supported calendar. */
export const monthParam = () => optional(monthField(MESSAGES.month));
/** An ISO week `YYYY-Www` of the supported calendar. */
export const weekParam = () => optional(z.string().refine(isWeek, { message: MESSAGES.week }));
/** A notice's key after an action (`?done=saved`): an unknown key shows no notice. */
export const doneParam = () => optional(z.string().regex(/^[a-z0-9-]{1,40}$/, { message: MESSAGES.key }));

/** Pages whose only parameter is `?done=`. */
export const doneQuery = z.object({ done: doneParam() });

/** `/staff/tickets`: filters, full-text search and the keyset cursor (a ticket number). */
export const ticketListQuery = z.object({
  q: textParam(200),
  status: oneOfParam(TICKET_STATUSES),
  channel: oneOfParam(['email', 'telegram', 'slack', 'web']),
  customer: textParam(100),
  customer_id: idParam(),
  assignee: textParam(100),
  deadline: oneOfParam(DEADLINE_STATES),
  before: wholeParam(MAX_TICKET_NUMBER),
});

/** `/staff/tickets/:number`. */
export const ticketQuery = z.object({ done: doneParam(), redacted: oneOfParam(['1']) });

/** `/staff/customers`. */
export const customerListQuery = z.object({
  q: textParam(200),
  status: oneOfParam(CUSTOMER_STATUSES),
  page: wholeParam(10_000),
});

/** `/staff/reports` and its CSV files. */
export const reportsQuery = z.object({
  fromMonth: monthParam(),
  toMonth: monthParam(),
  fromWeek: weekParam(),
  toWeek: weekParam(),
});

/** `/staff/audit`. */
export const auditQuery = z.object({
  actor: textParam(200),
  action: textParam(200),
  ticket: wholeParam(MAX_TICKET_NUMBER),
  customer: idParam(),
  from: dateParam(),
  to: dateParam(),
  before: idParam(),
});

/** `/staff/unmatched`. */
export const unmatchedQuery = z.object({
  ticket: wholeParam(MAX_TICKET_NUMBER),
  before: idParam(),
  done: doneParam(),
});

/** A staff page's query string refused: each bad parameter with what is wrong (Italian / English). */
export class StaffQueryRefused extends Error {
  readonly statusCode = 400;
  constructor(readonly fields: Record<string, string>) {
    super(`invalid query parameters: ${Object.keys(fields).join(', ')}`);
  }
}

/** zod's own issues in both languages; ours (refinements) already carry both. */
function issueText(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_big':
      return issue.origin === 'string'
        ? both(`al massimo ${issue.maximum} caratteri`, `at most ${issue.maximum} characters`)
        : both(`al massimo ${issue.maximum}`, `at most ${issue.maximum}`);
    case 'invalid_type':
      return both('un solo valore di testo', 'a single text value');
    case 'invalid_value':
      return both(`uno tra: ${issue.values.join(', ')}`, `one of: ${issue.values.join(', ')}`);
    default:
      return issue.message;
  }
}

/**
 * The request's query string checked by `schema`.
 * @throws StaffQueryRefused naming each bad parameter (a 400 page, see web-ui.ts).
 */
export function staffQuery<T extends z.ZodType>(request: FastifyRequest, schema: T): z.output<T> {
  const result = schema.safeParse(request.query ?? {});
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const name = String(issue.path[0] ?? '?');
    fields[name] = fields[name] ? `${fields[name]}; ${issueText(issue)}` : issueText(issue);
  }
  throw new StaffQueryRefused(fields);
}

/** The 400 page of a refused query: each parameter's name and what it must be. */
export function StaffQueryRefusedPage(props: {
  ctx: PageContext;
  staff?: StaffMember;
  fields: Record<string, string>;
}) {
  const title = both('Richiesta non valida', 'Invalid request');
  return (
    <StaffLayout {...props.ctx} title={title} staff={props.staff}>
      <div class="notice error" role="alert">
        <p>{both('Questi parametri non sono validi:', 'These parameters are not valid:')}</p>
        <ul>
          {Object.entries(props.fields).map(([name, text]) => (
            <li key={name}>
              <code>{name}</code>: {text}
            </li>
          ))}
        </ul>
      </div>
    </StaffLayout>
  );
}
