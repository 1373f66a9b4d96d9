/**
 * The pieces of the staff list pages (registrations, unmatched messages, staff accounts, tickets):
 * the table, the per-row action forms and the keyset paging links.
 */
import type { ComponentChildren } from 'preact';
import { CsrfField } from '../views/layout.js';

/**
 * A list's table under its column headers, or `empty` when there are no rows. The table scrolls
 * sideways inside its frame on a narrow screen; the frame is a named region a keyboard can reach
 * (and scroll), as WCAG 2.1.1 asks of a scrollable area.
 */
export function StaffTable(props: {
  label: string;
  headers: string[];
  empty?: string;
  rows: ComponentChildren[];
}) {
  if (props.rows.length === 0 && props.empty !== undefined) return <p>{props.empty}</p>;
  return (
    <section class="table-wrap" aria-label={props.label} tabindex={0}>
      <table class="staff-table">
        <thead>
          <tr>
            {props.headers.map((header) => (
              <th scope="col">{header}</th>
            ))}
          </tr>
        </thead>
        <tbody>{props.rows}</tbody>
      </table>
    </section>
  );
}

/** One action of a row: a post to `action` with the CSRF token; `children` are its fields and button. */
export function RowForm(props: { action: string; csrfToken: string; children: ComponentChildren }) {
  return (
    <form method="post" action={props.action} class="inline-form">
      <CsrfField token={props.csrfToken} />
      {props.children}
    </form>
  );
}

/** A labelled text input inside a row form, followed by a space for the button. */
export function RowInput(props: { id: string; name: string; label: string; maxLength: number }) {
  return (
    <>
      <label for={props.id}>{props.label}</label>{' '}
      <input id={props.id} name={props.name} required maxLength={props.maxLength} />{' '}
    </>
  );
}

/**
 * Keyset paging links, newest first: the first page (when not on it) and the next one (when there
 * is one), keeping the list's other query parameters.
 */
export function KeysetPager(props: {
  path: string;
  label: string;
  query: URLSearchParams;
  paged: boolean;
  nextBefore?: number | bigint;
  texts: { first: string; next: string };
}) {
  const next = new URLSearchParams(props.query);
  if (props.nextBefore !== undefined) next.set('before', String(props.nextBefore));
  const first = props.query.toString();
  return (
    <nav class="pages" aria-label={props.label}>
      {props.paged && <a href={first ? `${props.path}?${first}` : props.path}>{props.texts.first}</a>}{' '}
      {props.nextBefore !== undefined && (
        <a href={`${props.path}?${next.toString()}`} rel="next">
          {props.texts.next}
        </a>
      )}
    </nav>
  );
}
