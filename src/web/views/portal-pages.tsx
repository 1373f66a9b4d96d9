import { createRequire } from 'node:module';
import type sanitizeHtmlFunction from 'sanitize-html';
import { isBlockedCustomer } from '../../db/statuses.js';
import type { customerOverview, myTicket, myTickets } from '../portal-data.js';
import { dateTime } from './dates.js';
import { CsrfField, Field, Layout, Notice, type PageContext } from './layout.js';
import {
  type Appointments,
  AppointmentsSection,
  type Consents,
  ConsentsSection,
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
function safeHtml(html: string): string {
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

function NewMessageForm(props: {
  ctx: PageContext;
  action: string;
  nonce: string;
  withSubject: boolean;
  label: string;
}) {
  const { t } = props.ctx;
  return (
    <form method="post" action={props.action} enctype="multipart/form-data">
      <CsrfField token={props.ctx.csrfToken} />
      <input type="hidden" name="nonce" value={props.nonce} />
      {props.withSubject && <Field name="subject" label={t.subject} required />}
      <Field name="text" label={t.message} required multiline />
      <div class="field">
        <label for="f-attachments">{t.attachments}</label>
        <input id="f-attachments" type="file" name="attachments" multiple />
      </div>
      <button type="submit">{props.label}</button>
    </form>
  );
}

export function PortalPage(props: {
  ctx: PageContext;
  overview: Overview;
  tickets: TicketList;
  appointments: Appointments;
  hourSummaries: HourSummaries;
  nonce: string;
}) {
  const { ctx } = props;
  const { t } = ctx;
  return (
    <Layout ctx={ctx} title={t.myTickets}>
      {props.overview.customer.status === 'pending' && <Notice kind="info">{t.pending}</Notice>}
      {props.overview.customer.status === 'suspended' && <Notice kind="error">{t.suspended}</Notice>}
      {props.overview.customer.status === 'rejected' && <Notice kind="error">{t.rejected}</Notice>}
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
      {/* A suspended or rejected customer's messages open no ticket: no form that would pretend to. */}
      {!isBlockedCustomer(props.overview.customer.status) && (
        <section aria-labelledby="new-title">
          <h2 id="new-title">{t.newTicket}</h2>
          <NewMessageForm
            ctx={ctx}
            action="/portal/tickets"
            nonce={props.nonce}
            withSubject
            label={t.newTicket}
          />
        </section>
      )}
      <AppointmentsSection ctx={ctx} appointments={props.appointments} />
      <HoursSection ctx={ctx} summaries={props.hourSummaries} />
    </Layout>
  );
}

export function TicketPage(props: { ctx: PageContext; view: TicketView; nonce: string; sent: boolean }) {
  const { ctx } = props;
  const { t } = ctx;
  const { ticket, messages } = props.view;
  return (
    <Layout ctx={ctx} title={`#${ticket.number} ${ticket.subject}`}>
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
        <NewMessageForm
          ctx={ctx}
          action={`/portal/tickets/${ticket.number}/reply`}
          nonce={props.nonce}
          withSubject={false}
          label={t.reply}
        />
      </section>
    </Layout>
  );
}

export function AccountPage(props: {
  ctx: PageContext;
  overview: Overview;
  telegram?: { link: string; qrSvg: string };
  telegramOn: boolean;
  consents: Consents;
}) {
  const { ctx, overview } = props;
  const { t } = ctx;
  const quick = overview.customer.quickAccess;
  return (
    <Layout ctx={ctx} title={t.account}>
      <section aria-labelledby="quick-title">
        <h2 id="quick-title">{t.quickAccess}</h2>
        <p>{quick ? t.quickAccessOn : t.quickAccessOff}</p>
        <p>{t.quickAccessText}</p>
        <form method="post" action="/portal/quick-access">
          <CsrfField token={ctx.csrfToken} />
          <input type="hidden" name="on" value={quick ? 'no' : 'yes'} />
          <button type="submit">{quick ? t.turnOff : t.turnOn}</button>
        </form>
      </section>
      <section aria-labelledby="linked-title">
        <h2 id="linked-title">{t.linked}</h2>
        <ul>
          {overview.identities
            .filter((i) => i.verified && i.kind !== 'web')
            .map((i) => (
              <li key={`${i.kind}:${i.address}`}>
                {i.kind}: {i.address}
              </li>
            ))}
        </ul>
        <h3>{t.linkTelegram}</h3>
        {!props.telegramOn ? (
          <p>{t.telegramOff}</p>
        ) : props.telegram ? (
          <>
            <p>{t.linkTelegramText}</p>
            <p>
              <a href={props.telegram.link}>{props.telegram.link}</a>
            </p>
            <div
              class="qr"
              role="img"
              aria-label={t.linkTelegram}
              dangerouslySetInnerHTML={{ __html: props.telegram.qrSvg }}
            />
          </>
        ) : (
          <form method="post" action="/portal/telegram-link">
            <CsrfField token={ctx.csrfToken} />
            <button type="submit">{t.makeLink}</button>
          </form>
        )}
        <p>{t.linkSlack}</p>
      </section>
      <ConsentsSection ctx={ctx} consents={props.consents} />
      <section aria-labelledby="data-title">
        <h2 id="data-title">{t.myData}</h2>
        <p>
          <a href="/portal/export.json" download="my-data.json">
            {t.download}
          </a>
        </p>
        <p>{t.erasureText}</p>
        {overview.erasureRequestedAt ? (
          <Notice kind="info">
            {t.erasureAsked} {dateTime(ctx, overview.erasureRequestedAt)}
          </Notice>
        ) : (
          <form method="post" action="/portal/erasure">
            <CsrfField token={ctx.csrfToken} />
            <button type="submit">{t.erasure}</button>
          </form>
        )}
      </section>
    </Layout>
  );
}
