/** The audit log page's content (#25): filters, the entries, a link to older ones. Read-only. */
import type { ActorDirectory } from '../../core/actors.js';
import type { AuditRow } from '../../db/sql/list-audit-log.js';
import type { Locale } from '../../templates/format.js';
import type { ReportTexts } from './report-texts.js';

export interface AuditQuery {
  actor?: string;
  action?: string;
  ticket?: string;
  customer?: string;
  from?: string;
  to?: string;
  before?: string;
}

const FILTERS = ['actor', 'action', 'ticket', 'customer', 'from', 'to'] as const;

/** An entry's data as one line of JSON, cut at 300 characters. */
function detailsOf(data: unknown): string {
  if (data === null || data === undefined) return '';
  const text = JSON.stringify(data);
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

/** The actor as a name (linked to the person's actions when they have a staff account), the stored form beside it. */
function Actor(props: { actor: string; people: ActorDirectory }) {
  const label = props.people.label(props.actor);
  const account = props.people.accountOf(props.actor);
  const name = account === undefined ? label : <a href={`/staff/audit?actor=staff:${account}`}>{label}</a>;
  return label === props.actor ? (
    name
  ) : (
    <>
      {name} <small>{props.actor}</small>
    </>
  );
}

export function AuditContent(props: {
  t: ReportTexts;
  locale: Locale;
  timeZone: string;
  query: AuditQuery;
  rows: AuditRow[];
  more: boolean;
  /** Names the actors; a staff member's name links to all their actions. */
  people: ActorDirectory;
}) {
  const { t, query, rows } = props;
  const when = new Intl.DateTimeFormat(props.locale === 'it' ? 'it-IT' : 'en-GB', {
    timeZone: props.timeZone,
    dateStyle: 'short',
    timeStyle: 'medium',
  });
  const kept = new URLSearchParams();
  for (const name of FILTERS) if (query[name]) kept.set(name, query[name]!);
  const olderHref = () => {
    const q = new URLSearchParams(kept);
    q.set('before', rows.at(-1)!.id.toString());
    return `/staff/audit?${q}`;
  };
  const input = (name: (typeof FILTERS)[number], label: string, type: 'text' | 'date', hint?: string) => (
    <p>
      <label for={`audit-${name}`}>{label}</label>
      <input
        id={`audit-${name}`}
        name={name}
        type={type as 'text'}
        value={query[name] ?? ''}
        aria-describedby={hint ? `audit-${name}-hint` : undefined}
      />
      {hint && <small id={`audit-${name}-hint`}>{hint}</small>}
    </p>
  );
  return (
    <>
      <p>{t.readOnly}</p>
      <form method="get" action="/staff/audit" class="filters" aria-label={t.filter}>
        {input('actor', t.actor, 'text')}
        {input('action', t.action, 'text', t.actionHint)}
        {input('ticket', t.ticket, 'text')}
        {input('customer', t.customerId, 'text')}
        {input('from', t.fromDate, 'date')}
        {input('to', t.toDate, 'date')}
        <p>
          <button type="submit">{t.filter}</button>
        </p>
      </form>
      {rows.length === 0 ? (
        <p>{t.noEntries}</p>
      ) : (
        <table class="staff-table">
          <caption>{t.audit}</caption>
          <thead>
            <tr>
              <th scope="col">{t.when}</th>
              <th scope="col">{t.actor}</th>
              <th scope="col">{t.action}</th>
              <th scope="col">{t.ticket}</th>
              <th scope="col">{t.customer}</th>
              <th scope="col">{t.details}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id.toString()}>
                <td>
                  <time dateTime={r.at.toISOString()}>{when.format(r.at)}</time>
                </td>
                <td>
                  <Actor actor={r.actor} people={props.people} />
                </td>
                <td>
                  <code>{r.action}</code>
                </td>
                <td>
                  {r.ticketNumber === null ? (
                    ''
                  ) : (
                    <a href={`/staff/tickets/${r.ticketNumber}`}>{r.ticketNumber}</a>
                  )}
                </td>
                <td>
                  {r.customerId === null ? (
                    ''
                  ) : (
                    <a href={`/staff/customers/${r.customerId}`}>
                      {r.customerName ?? r.customerId.toString()}
                    </a>
                  )}
                </td>
                <td class="details">{detailsOf(r.data)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav aria-label={t.audit} class="pager">
        {query.before && <a href={`/staff/audit${kept.size ? `?${kept}` : ''}`}>{t.newest}</a>}{' '}
        {props.more && <a href={olderHref()}>{t.older}</a>}
      </nav>
    </>
  );
}
