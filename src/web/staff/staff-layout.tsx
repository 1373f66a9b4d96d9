import type { ComponentChildren } from 'preact';
import { Notice, type PageContext, PageShell, SignOutItem } from '../views/layout.js';
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

/** The nav's name of a section (also its pages' title). */
export function navLabel(key: StaffNav, s: StaffMessages): string {
  return key === 'account' ? s.navAccount : NAV.find((entry) => entry.key === key)!.label(s);
}

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
  const { t, staff } = props;
  const s = staffMessages(t.lang);
  const item = (key: StaffNav, href: string, label: string) => (
    <li key={key}>
      <a href={href} aria-current={props.active === key ? 'page' : undefined}>
        {label}
      </a>
    </li>
  );
  const nav = staff && (
    <>
      {NAV.filter((entry) => !entry.admin || staff.role === 'admin').map((entry) =>
        item(entry.key, entry.href, entry.label(s)),
      )}
      {item('account', '/staff/account', s.navAccount)}
      <SignOutItem action="/staff/sign-out" csrfToken={props.csrfToken} label={s.signOut} />
    </>
  );
  const who = staff && (
    <p class="who">
      {s.signedInAs} {staff.name} ({staff.role === 'admin' ? s.roleAdmin : s.roleTechnician})
    </p>
  );
  return (
    <PageShell
      ctx={props}
      title={props.title}
      site={s.dashboard}
      home="/staff"
      stylesheets={['/assets/style.css', '/assets/staff.css']}
      bodyClass="staff"
      nav={nav}
      header={who}
    >
      {props.children}
    </PageShell>
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
