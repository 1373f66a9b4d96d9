import type { ComponentChildren, VNode } from 'preact';
import { render } from 'preact-render-to-string';
import type { Messages } from '../i18n.js';

/** What every page knows: its language's texts, the CSRF token, whether someone is signed in. */
export interface PageContext {
  t: Messages;
  csrfToken: string;
  signedIn: boolean;
  /** The current path and query, for the language switch. */
  path: string;
}

/** Renders a page to HTML: preact escapes every text and attribute unless told otherwise. */
export function renderPage(page: VNode): string {
  return `<!doctype html>${render(page)}`;
}

/**
 * The language switch's link: the same page in `locale`, keeping a mailed link's `token` (the
 * set-password pages of customers and staff), which the page cannot work without.
 */
export function languageSwitchUrl(path: string, locale: string): string {
  const [pathname, query = ''] = path.split('?', 2) as [string, string?];
  const token = new URLSearchParams(query).get('token');
  const params = new URLSearchParams(token ? { token, lang: locale } : { lang: locale });
  return `${pathname}?${params.toString()}`;
}

/**
 * The document every page shares, the portal's and the staff dashboard's: the head, the skip link,
 * a header whose nav has the brand, `nav` (list items) and the language switch, then `main` under
 * the title. `site` names the site in the tab title and the nav's label.
 */
export function PageShell(props: {
  ctx: Pick<PageContext, 't' | 'path'>;
  title: string;
  site: string;
  home: string;
  stylesheets: string[];
  bodyClass?: string;
  nav: ComponentChildren;
  /** Under the nav, in the header (who is signed in). */
  header?: ComponentChildren;
  children?: ComponentChildren;
}) {
  const { t, path } = props.ctx;
  const switchUrl = languageSwitchUrl(path, t.switchLocale);
  return (
    <html lang={t.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · ${props.site}`}</title>
        {props.stylesheets.map((href) => (
          <link rel="stylesheet" href={href} />
        ))}
      </head>
      <body class={props.bodyClass}>
        <a class="skip" href="#main">
          {t.skip}
        </a>
        <header>
          <nav aria-label={props.site}>
            <a href={props.home} class="brand">
              {props.site}
            </a>
            <ul>
              {props.nav}
              <li>
                <a href={switchUrl} lang={t.switchLocale} hreflang={t.switchLocale}>
                  {t.switchTo}
                </a>
              </li>
            </ul>
          </nav>
          {props.header}
        </header>
        <main id="main">
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** A nav item that signs out: a post with the CSRF token, styled as a link. */
export function SignOutItem(props: { action: string; csrfToken: string; label: string }) {
  return (
    <li>
      <form method="post" action={props.action}>
        <CsrfField token={props.csrfToken} />
        <button type="submit" class="link">
          {props.label}
        </button>
      </form>
    </li>
  );
}

/** A portal page: the customer's nav (signed in: tickets, account, sign-out; else sign-in, register). */
export function Layout(props: { ctx: PageContext; title: string; children: ComponentChildren }) {
  const { t, signedIn, csrfToken } = props.ctx;
  const nav = signedIn ? (
    <>
      <li>
        <a href="/portal">{t.portal}</a>
      </li>
      <li>
        <a href="/portal/account">{t.account}</a>
      </li>
      <SignOutItem action="/signout" csrfToken={csrfToken} label={t.signOut} />
    </>
  ) : (
    <>
      <li>
        <a href="/signin">{t.signIn}</a>
      </li>
      <li>
        <a href="/register">{t.register}</a>
      </li>
    </>
  );
  return (
    <PageShell
      ctx={props.ctx}
      title={props.title}
      site={t.appName}
      home="/"
      stylesheets={['/assets/style.css']}
      nav={nav}
    >
      {props.children}
    </PageShell>
  );
}

export function CsrfField(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}

/** A labelled input with its error, tied together for screen readers. */
export function Field(props: {
  name: string;
  label: string;
  value?: string;
  error?: string;
  type?: 'text' | 'email' | 'password' | 'tel';
  required?: boolean;
  autocomplete?: string;
  hint?: string;
  multiline?: boolean;
}) {
  const id = `f-${props.name}`;
  const described = [props.hint ? `${id}-hint` : '', props.error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  const common = {
    id,
    name: props.name,
    required: props.required,
    'aria-invalid': props.error ? ('true' as const) : undefined,
    'aria-describedby': described || undefined,
  };
  return (
    <div class={props.error ? 'field invalid' : 'field'}>
      <label for={id}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.multiline ? (
        <textarea {...common} rows={6}>
          {props.value ?? ''}
        </textarea>
      ) : (
        <input
          {...common}
          type={(props.type ?? 'text') as 'text'}
          value={props.value ?? ''}
          autocomplete={props.autocomplete}
        />
      )}
      {props.error && (
        <p class="error" id={`${id}-error`}>
          {props.error}
        </p>
      )}
    </div>
  );
}

export function Notice(props: { kind: 'info' | 'error' | 'ok'; children: ComponentChildren }) {
  return (
    <p class={`notice ${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.children}
    </p>
  );
}
