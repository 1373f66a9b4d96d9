import type { ComponentChildren } from 'preact';
import { CsrfField, languageSwitchUrl, Notice, type PageContext } from '../views/layout.js';
import type { StaffMember } from './staff-auth.js';
import { type StaffMessages, staffMessages } from './staff-i18n.js';

/** The nav entry of the current page (`aria-current`). */
export type StaffNav =
  | 'tickets'
  | 'registrations'
  | 'customers'
  | 'unmatched'
  | 'reports'
  | 'settings'
  | 'audit'
  | 'staff'
  | 'account';

const NAV: Array<{ key: StaffNav; href: string; label: (s: StaffMessages) => string; admin?: boolean }> = [
  { key: 'tickets', href: '/staff/tickets', label: (s) => s.navTickets },
  { key: 'registrations', href: '/staff/registrations', label: (s) => s.navRegistrations },
  { key: 'customers', href: '/staff/customers', label: (s) => s.navCustomers },
  { key: 'unmatched', href: '/staff/unmatched', label: (s) => s.navUnmatched },
  { key: 'reports', href: '/staff/reports', label: (s) => s.navReports },
  { key: 'settings', href: '/staff/settings', label: (s) => s.navSettings, admin: true },
  { key: 'audit', href: '/staff/audit', label: (s) => s.navAudit, admin: true },
  { key: 'staff', href: '/staff/accounts', label: (s) => s.navStaff, admin: true },
];

export type StaffLayoutProps = PageContext & {
  title: string;
  /** Who is signed in; undefined on the sign-in pages (no nav then). */
  staff?: StaffMember;
  active?: StaffNav;
  children?: ComponentChildren;
};

/**
 * Every staff page: Italian first (`?lang=en` switches), a nav of the sections (admin-only ones for
 * admins), who is signed in and sign-out. Usage: `<StaffLayout {...ctx} title staff active>…`.
 */
export function StaffLayout(props: StaffLayoutProps) {
  const { t, path, staff } = props;
  const s = staffMessages(t.lang);
  const switchUrl = languageSwitchUrl(path, t.switchLocale);
  return (
    <html lang={t.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · ${s.dashboard}`}</title>
        <link rel="stylesheet" href="/assets/style.css" />
        <link rel="stylesheet" href="/assets/staff.css" />
      </head>
      <body class="staff">
        <a class="skip" href="#main">
          {t.skip}
        </a>
        <header>
          <nav aria-label={s.dashboard}>
            <a href="/staff" class="brand">
              {s.dashboard}
            </a>
            <ul>
              {staff &&
                NAV.filter((item) => !item.admin || staff.role === 'admin').map((item) => (
                  <li key={item.key}>
                    <a href={item.href} aria-current={props.active === item.key ? 'page' : undefined}>
                      {item.label(s)}
                    </a>
                  </li>
                ))}
              {staff && (
                <li>
                  <a href="/staff/account" aria-current={props.active === 'account' ? 'page' : undefined}>
                    {s.navAccount}
                  </a>
                </li>
              )}
              {staff && (
                <li>
                  <form method="post" action="/staff/sign-out">
                    <CsrfField token={props.csrfToken} />
                    <button type="submit" class="link">
                      {s.signOut}
                    </button>
                  </form>
                </li>
              )}
              <li>
                <a href={switchUrl} lang={t.switchLocale} hreflang={t.switchLocale}>
                  {t.switchTo}
                </a>
              </li>
            </ul>
          </nav>
          {staff && (
            <p class="who">
              {s.signedInAs} {staff.name} ({staff.role === 'admin' ? s.roleAdmin : s.roleTechnician})
            </p>
          )}
        </header>
        <main id="main">
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** A page with one message (forbidden, a bad link, done). */
export function StaffMessagePage(
  props: StaffLayoutProps & {
    text: string;
    kind: 'info' | 'error' | 'ok';
    link?: { href: string; label: string };
  },
) {
  const { text, kind, link, ...layout } = props;
  return (
    <StaffLayout {...layout}>
      <Notice kind={kind}>{text}</Notice>
      {link && (
        <p>
          <a href={link.href}>{link.label}</a>
        </p>
      )}
    </StaffLayout>
  );
}
