import {
  DEADLINE_STATES,
  headlineParts,
  type StaffTicketRow,
  type TicketPage,
} from '../../core/ticket-search.js';
import { TICKET_STATUSES } from '../../db/statuses.js';
import { dateTime } from '../views/dates.js';
import type { PageContext } from '../views/layout.js';
import { KeysetPager } from './staff-table.js';
import type { TicketTexts } from './ticket-texts.js';

/** The list's filters as they came in the query string (strings, already checked). */
export interface ListFilters {
  q: string;
  status: string;
  channel: string;
  /** Part of the customer's name. */
  customer: string;
  /** One customer, by id (links from the customer pages and from this list). */
  customer_id: string;
  assignee: string;
  deadline: string;
}

export const CHANNELS = ['email', 'telegram', 'slack', 'web'] as const;

/** A ts_headline result as escaped text with `<mark>` around the matches. */
export function Highlighted(props: { headline: string }) {
  return (
    <>{headlineParts(props.headline).map((part) => (part.match ? <mark>{part.text}</mark> : part.text))}</>
  );
}

const asDate = (value: Date | string) => (value instanceof Date ? value : new Date(value));

function deadlineState(
  row: StaffTicketRow,
  now: Date,
  endOfToday: Date,
): keyof TicketTexts['deadlines'] | null {
  const due = row.first_contact_due_at ? asDate(row.first_contact_due_at) : null;
  if (row.first_contact_at) return due && asDate(row.first_contact_at) > due ? 'missed' : 'met';
  if (!due) return null;
  if (due < now) return 'overdue';
  return due < endOfToday ? 'due_today' : null;
}

function Deadline(props: {
  ctx: PageContext;
  t: TicketTexts;
  row: StaffTicketRow;
  now: Date;
  endOfToday: Date;
}) {
  const { row, t } = props;
  const state = deadlineState(row, props.now, props.endOfToday);
  if (state) return <span class={`deadline ${state}`}>{t.deadlines[state]}</span>;
  if (!row.first_contact_due_at) return <>–</>;
  return <>{`${t.dueBy} ${dateTime(props.ctx, asDate(row.first_contact_due_at))}`}</>;
}

/** A filter chosen from a list, "all" first; its label is the column's name. */
function Select(props: {
  name: 'status' | 'channel' | 'deadline';
  t: TicketTexts;
  filters: ListFilters;
  options: Array<[string, string]>;
}) {
  const { name, t } = props;
  return (
    <div class="field">
      <label for={`f-${name}`}>{t[name]}</label>
      <select id={`f-${name}`} name={name}>
        {[['', t.any], ...props.options].map(([value, label]) => (
          <option value={value} selected={value === props.filters[name]}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

function FilterForm(props: { t: TicketTexts; filters: ListFilters; me: string }) {
  const { t, filters } = props;
  return (
    <form method="get" action="/staff/tickets" class="filters" aria-label={t.search}>
      <div class="field">
        <label for="f-q">{t.search}</label>
        <p class="hint" id="f-q-hint">
          {t.searchHint}
        </p>
        <input id="f-q" type="search" name="q" value={filters.q} aria-describedby="f-q-hint" />
      </div>
      <Select
        name="status"
        t={t}
        filters={filters}
        options={TICKET_STATUSES.map((s) => [s, t.statuses[s]])}
      />
      <Select name="channel" t={t} filters={filters} options={CHANNELS.map((c) => [c, c])} />
      <div class="field">
        <label for="f-customer">{t.customer}</label>
        <input id="f-customer" name="customer" value={filters.customer} />
      </div>
      {filters.customer_id && <input type="hidden" name="customer_id" value={filters.customer_id} />}
      <div class="field">
        <label for="f-assignee">{t.assignee}</label>
        <p class="hint" id="f-assignee-hint">
          {t.assigneeHint}
        </p>
        <input
          id="f-assignee"
          name="assignee"
          value={filters.assignee}
          list="assignees"
          aria-describedby="f-assignee-hint"
        />
        <datalist id="assignees">
          <option value={props.me} />
          <option value="-" />
        </datalist>
      </div>
      <Select
        name="deadline"
        t={t}
        filters={filters}
        options={DEADLINE_STATES.map((d) => [d, t.deadlines[d]])}
      />
      <p class="actions">
        <button type="submit">{t.apply}</button> <a href="/staff/tickets">{t.reset}</a>
      </p>
    </form>
  );
}

/** The ticket list: filters and search (a GET form, no script), the table, keyset paging links. */
export function TicketList(props: {
  ctx: PageContext;
  t: TicketTexts;
  filters: ListFilters;
  me: string;
  page: TicketPage;
  paged: boolean;
  now: Date;
  endOfToday: Date;
}) {
  const { t, page, ctx } = props;
  const query = new URLSearchParams(Object.entries(props.filters).filter(([, value]) => value !== ''));
  return (
    <>
      <FilterForm t={t} filters={props.filters} me={props.me} />
      {page.rows.length === 0 ? (
        <p role="status">{t.none}</p>
      ) : (
        <table class="tickets">
          <caption class="visually-hidden">{t.tickets}</caption>
          <thead>
            <tr>
              <th scope="col">{t.number}</th>
              <th scope="col">{t.subject}</th>
              <th scope="col">{t.customer}</th>
              <th scope="col">{t.channel}</th>
              <th scope="col">{t.status}</th>
              <th scope="col">{t.assignee}</th>
              <th scope="col">{t.deadline}</th>
              <th scope="col">{t.updated}</th>
            </tr>
          </thead>
          <tbody>
            {page.rows.map((row) => (
              <tr>
                <td>
                  <a href={`/staff/tickets/${row.number}`}>#{row.number}</a>
                </td>
                <td>
                  <a href={`/staff/tickets/${row.number}`}>
                    {row.subject_headline ? <Highlighted headline={row.subject_headline} /> : row.subject}
                  </a>
                  {row.snippet && (
                    <p class="snippet">
                      <Highlighted headline={row.snippet} />
                    </p>
                  )}
                </td>
                <td>
                  <a href={`/staff/tickets?customer_id=${row.customer_id}`}>{row.customer_name}</a>
                </td>
                <td>{row.origin_channel}</td>
                <td>{t.statuses[row.status]}</td>
                <td>{row.assignee ?? t.unassigned}</td>
                <td>
                  <Deadline ctx={ctx} t={t} row={row} now={props.now} endOfToday={props.endOfToday} />
                </td>
                <td>{dateTime(ctx, asDate(row.updated_at))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <KeysetPager
        path="/staff/tickets"
        label={t.tickets}
        query={query}
        paged={props.paged}
        nextBefore={page.nextBefore}
        texts={t}
      />
    </>
  );
}
