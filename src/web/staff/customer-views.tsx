/** The staff customers pages (#25 item 3): the list with search, and one customer. */
import type { CustomerListRow } from '../../db/sql/search-customers.js';
import { CUSTOMER_STATUSES } from '../../db/statuses.js';
import { formatEuro } from '../../templates/format.js';
import { dateTime } from '../views/dates.js';
import { Field, Notice, type PageContext } from '../views/layout.js';
import { adminTexts } from './admin-texts.js';
import { ContractSection } from './customer-contract.js';
import type { CustomerDetail } from './customer-data.js';
import type { StaffMember } from './staff-auth.js';
import { StaffLayout } from './staff-layout.js';

export function CustomerListPage(props: {
  ctx: PageContext;
  staff: StaffMember;
  query: string;
  status: string;
  rows: CustomerListRow[];
  total: number;
  page: number;
  pageSize: number;
}) {
  const { ctx } = props;
  const a = adminTexts(ctx.t.lang);
  const lang = ctx.t.lang === 'en' ? 'en' : 'it';
  const link = (page: number) =>
    `/staff/customers?${new URLSearchParams({ q: props.query, status: props.status, page: String(page) })}`;
  return (
    <StaffLayout {...ctx} title={a.customers} staff={props.staff} active="customers">
      <search>
        <form method="get" action="/staff/customers">
          <Field name="q" label={a.search} value={props.query} />
          <div class="field">
            <label for="f-status">{a.status}</label>
            <select id="f-status" name="status">
              <option value="">{a.all}</option>
              {CUSTOMER_STATUSES.map((s) => (
                <option key={s} value={s} selected={props.status === s}>
                  {a.statuses[s] ?? s}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">{ctx.t.send}</button>
        </form>
      </search>
      <p role="status">
        {props.total} {a.found}
      </p>
      {props.rows.length === 0 ? (
        <p>{a.noCustomers}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{a.name}</th>
              <th scope="col">{a.email}</th>
              <th scope="col">{a.status}</th>
              <th scope="col">{a.termsVersion}</th>
              <th scope="col">{a.rate}</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((c) => (
              <tr key={c.id.toString()}>
                <td>
                  <a href={`/staff/customers/${c.id}`}>{c.name}</a>
                </td>
                <td>{c.emails.join(', ')}</td>
                <td>{a.statuses[c.status] ?? c.status}</td>
                <td>{c.acceptedTermsVersion ?? a.none}</td>
                <td>{c.hourlyRateCents === null ? a.defaultRate : formatEuro(c.hourlyRateCents, lang)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav aria-label={a.customers}>
        {props.page > 1 && <a href={link(props.page - 1)}>{a.previous}</a>}{' '}
        {props.page * props.pageSize < props.total && <a href={link(props.page + 1)}>{a.next}</a>}
      </nav>
    </StaffLayout>
  );
}

export interface CustomerPageProps {
  ctx: PageContext;
  staff: StaffMember;
  detail: CustomerDetail;
  done?: string;
  contractForm?: { values: Record<string, string>; errors: Record<string, string> };
  prepaidForm?: { values: Record<string, string>; errors: Record<string, string> };
}

export function CustomerPage(props: CustomerPageProps) {
  const { ctx, detail } = props;
  const a = adminTexts(ctx.t.lang);
  const { customer } = detail;
  const yesNo = (b: boolean) => (b ? a.yes : a.no);
  const done: Record<string, string> = { contract: a.contractSaved, prepaid: a.prepaidAdded };
  const failed = [props.contractForm, props.prepaidForm].some((f) => f && Object.keys(f.errors).length > 0);
  return (
    <StaffLayout {...ctx} title={`${a.customer}: ${customer.name}`} staff={props.staff} active="customers">
      <p>
        <a href="/staff/customers">{a.back}</a>
      </p>
      {props.done && done[props.done] && <Notice kind="ok">{done[props.done]}</Notice>}
      {failed && <Notice kind="error">{a.fixErrors}</Notice>}
      <dl>
        <dt>{a.status}</dt>
        <dd>{a.statuses[customer.status] ?? customer.status}</dd>
        <dt>{a.termsVersion}</dt>
        <dd>
          {customer.acceptedTermsVersion ?? a.none}
          {detail.currentTermsVersion &&
            customer.acceptedTermsVersion !== detail.currentTermsVersion &&
            ` (${a.current}: ${detail.currentTermsVersion})`}
        </dd>
        <dt>{a.quickAccess}</dt>
        <dd>{yesNo(customer.quickAccess)}</dd>
        <dt>{a.account}</dt>
        <dd>{detail.account ? `${detail.account.contactName} <${detail.account.email}>` : a.none}</dd>
      </dl>
      <section aria-labelledby="identities-title">
        <h2 id="identities-title">{a.identities}</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">{a.kind}</th>
              <th scope="col">{a.address}</th>
              <th scope="col">{a.verified}</th>
            </tr>
          </thead>
          <tbody>
            {customer.identities.map((i) => (
              <tr key={i.id.toString()}>
                <td>{i.kind}</td>
                <td>{i.displayName ? `${i.displayName} (${i.address})` : i.address}</td>
                <td>{yesNo(i.verified)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {detail.acceptances.length > 0 && (
          <>
            <h3>{a.acceptances}</h3>
            <ul>
              {detail.acceptances.map((t) => (
                <li key={`${t.version}-${t.acceptedAt.getTime()}`}>
                  {a.version} {t.version}: {dateTime(ctx, t.acceptedAt)} ({t.channel})
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      <ContractSection {...props} />
      <ConsentHistory {...props} />
    </StaffLayout>
  );
}

function ConsentHistory(props: CustomerPageProps) {
  const { ctx, detail } = props;
  const a = adminTexts(ctx.t.lang);
  return (
    <section aria-labelledby="consents-title">
      <h2 id="consents-title">{a.consents}</h2>
      {detail.consents.length === 0 ? (
        <p>{a.noConsents}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{a.date}</th>
              <th scope="col">{a.ticket}</th>
              <th scope="col">{a.event}</th>
              <th scope="col">{a.technician}</th>
              <th scope="col">{a.answer}</th>
              <th scope="col">{a.backup}</th>
              <th scope="col">{a.channel}</th>
            </tr>
          </thead>
          <tbody>
            {detail.consents.map((c) => (
              <tr key={c.id.toString()}>
                <td>{dateTime(ctx, c.at)}</td>
                <td>
                  {c.ticketNumber === undefined ? (
                    ''
                  ) : (
                    <a href={`/staff/tickets/${c.ticketNumber}`}>#{c.ticketNumber}</a>
                  )}
                </td>
                <td>{a.consentEvents[c.event] ?? c.event}</td>
                <td>{c.technician}</td>
                <td>{c.answerText ?? ''}</td>
                <td>{c.event === 'granted' ? (c.backupConfirmed ? a.yes : a.no) : ''}</td>
                <td>{c.channel}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
