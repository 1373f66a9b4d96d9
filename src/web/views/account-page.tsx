import type { customerOverview } from '../portal-data.js';
import { dateTime } from './dates.js';
import { CsrfField, Layout, Notice, type PageContext } from './layout.js';
import { StatusNotice } from './portal-forms.js';
import { type Consents, ConsentsSection } from './portal-sections.js';

type Overview = NonNullable<Awaited<ReturnType<typeof customerOverview>>>;

/** My account: quick access (T4), linked chat accounts, consent history, my data and erasure (T8). */
export function AccountPage(props: {
  ctx: PageContext;
  overview: Overview;
  telegram?: { link: string; qrSvg: string };
  telegramOn: boolean;
  /** The `link <code>` message for the Slack bot, once made. */
  slack?: { command: string };
  slackOn: boolean;
  consents: Consents;
}) {
  const { ctx, overview } = props;
  const { t } = ctx;
  const quick = overview.customer.quickAccess;
  return (
    <Layout ctx={ctx} title={t.account}>
      <StatusNotice ctx={ctx} status={overview.customer.status} />
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
        <h3>{t.linkSlack}</h3>
        {!props.slackOn ? (
          <p>{t.slackOff}</p>
        ) : props.slack ? (
          <>
            <p>{t.linkSlackText}</p>
            <pre class="code">{props.slack.command}</pre>
          </>
        ) : (
          <form method="post" action="/portal/slack-link">
            <CsrfField token={ctx.csrfToken} />
            <button type="submit">{t.makeCode}</button>
          </form>
        )}
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
