import { createRequire } from 'node:module';
import type sanitizeHtmlFunction from 'sanitize-html';
import type { customerOverview, myTicket, myTickets } from '../portal-data.js';
import { dateTime } from './dates.js';
import { Layout, Notice, type PageContext } from './layout.js';
import {
  canPost,
  type Draft,
  NewMessageForm,
  RefusedDraft,
  refusalText,
  StatusNotice,
} from './portal-forms.js';
import {
  type Appointments,
  AppointmentsSection,
  type HourSummaries,
  HoursSection,
} from './portal-sections.js';

type Overview = NonNullable<Awaited<ReturnType<typeof customerOverview>>>;
type TicketList = Awaited<ReturnType<typeof myTickets>>;
type TicketView = NonNullable<Awaited<ReturnType<typeof myTicket>>>;

export { englishDateTime, italianDateTime } from './dates.js';

let sanitizer: typeof sanitizeHtmlFunction | undefined;

/**
 * Customer mail HTML, sanitised again when shown: no script, style, form, remote content or handlers.
 * sanitize-html (with htmlparser2 and postcss) is required on the first ticket page that shows
 * HTML, not at start (~1.3 MB of heap; docs/performance.md#memory).
 */
export function safeHtml(html: string): string {
  sanitizer ??= createRequire(import.meta.url)('sanitize-html') as typeof sanitizeHtmlFunction;
  const sanitizeHtml = sanitizer;
  return sanitizeHtml(html, {
    allowedTags: [
      'p',
      'br',
      'b',
      'strong',
      'i',
      'em',
      'u',
      'ul',
      'ol',
      'li',
      'blockquote',
      'pre',
      'code',
      'a',
      'table',
      'tr',
      'td',
      'th',
      'tbody',
      'thead',
      'div',
      'span',
    ],
    allowedAttributes: { a: ['href'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow' }) },
  });
}

export function PortalPage(props: {
  ctx: PageContext;
  overview: Overview;
  tickets: TicketList;
  appointments: Appointments;
  hourSummaries: HourSummaries;
  nonce: string;
  draft?: Draft;
}) {
  const { ctx } = props;
  const { t } = ctx;
  const { status } = props.overview.customer;
  return (
    <Layout ctx={ctx} title={t.myTickets}>
      <StatusNotice ctx={ctx} status={status} />
      <section aria-labelledby="tickets-title">
        <h2 id="tickets-title">{t.myTickets}</h2>
        {props.tickets.length === 0 ? (
          <p>{t.noTickets}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t.ticket}</th>
                <th scope="col">{t.subject}</th>
                <th scope="col">{t.status}</th>
                <th scope="col" class="optional">
                  {t.updated}
                </th>
              </tr>
            </thead>
            <tbody>
              {props.tickets.map((ticket) => (
                <tr key={ticket.number}>
                  <td>
                    <a href={`/portal/tickets/${ticket.number}`}>#{ticket.number}</a>
                  </td>
                  <td>{ticket.subject}</td>
                  <td>{t.statuses[ticket.status] ?? ticket.status}</td>
                  <td class="optional">{dateTime(ctx, ticket.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="new-title">
        <h2 id="new-title">{t.newTicket}</h2>
        {canPost(status) ? (
          <NewMessageForm
            ctx={ctx}
            action="/portal/tickets"
            nonce={props.nonce}
            withSubject
            label={t.newTicket}
            draft={props.draft}
          />
        ) : (
          <>
            <p>{refusalText(ctx, status)}</p>
            <RefusedDraft ctx={ctx} draft={props.draft} />
          </>
        )}
      </section>
      <AppointmentsSection ctx={ctx} appointments={props.appointments} />
      <HoursSection ctx={ctx} summaries={props.hourSummaries} />
    </Layout>
  );
}

export function TicketPage(props: {
  ctx: PageContext;
  view: TicketView;
  nonce: string;
  sent: boolean;
  /** The customer's status (`customers.status`): the reply form only when they may post. */
  status: string;
  draft?: Draft;
}) {
  const { ctx, status } = props;
  const { t } = ctx;
  const { ticket, messages } = props.view;
  return (
    <Layout ctx={ctx} title={`#${ticket.number} ${ticket.subject}`}>
      <StatusNotice ctx={ctx} status={status} />
      {props.sent && <Notice kind="ok">{t.sent}</Notice>}
      <p>
        {t.status}: <strong>{t.statuses[ticket.status] ?? ticket.status}</strong> ·{' '}
        <a href="/portal">{t.back}</a>
      </p>
      <ol class="messages">
        {messages.map((m) => (
          <li key={String(m.id)} class={m.direction}>
            <p class="meta">
              {m.direction === 'inbound' ? t.you : m.author && m.author !== 'bot' ? m.author : t.support} ·{' '}
              {dateTime(ctx, m.createdAt)} · {t.via} {m.channel}
            </p>
            {m.html && m.direction === 'inbound' && m.channel === 'email' ? (
              <div class="body" dangerouslySetInnerHTML={{ __html: safeHtml(m.html) }} />
            ) : (
              <div class="body">{m.newText}</div>
            )}
            {m.attachments.length > 0 && (
              <ul aria-label={t.attachmentsOf}>
                {m.attachments.map((a) => (
                  <li key={String(a.id)}>
                    {a.omittedReason ? (
                      `${a.filename} (${a.omittedReason})`
                    ) : (
                      <a href={`/portal/attachments/${a.id}`}>{a.filename}</a>
                    )}{' '}
                    ({Math.ceil(a.size / 1024)} KB)
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
      <section aria-labelledby="reply-title">
        <h2 id="reply-title">{t.reply}</h2>
        {canPost(status) ? (
          <NewMessageForm
            ctx={ctx}
            action={`/portal/tickets/${ticket.number}/reply`}
            nonce={props.nonce}
            withSubject={false}
            label={t.reply}
            draft={props.draft}
          />
        ) : (
          <>
            <p>{refusalText(ctx, status)}</p>
            <RefusedDraft ctx={ctx} draft={props.draft} />
          </>
        )}
      </section>
    </Layout>
  );
}
