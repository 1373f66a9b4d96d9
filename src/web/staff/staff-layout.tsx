/**
 * PLACEHOLDER until hstaff's foundation is merged (the dashboard contract, #25). hstaff's file
 * replaces this one whole.
 */
import type { ComponentChildren } from 'preact';
import type { PageContext } from '../views/layout.js';
import type { StaffMember } from './staff-auth.js';

export function StaffLayout(
  props: PageContext & { title: string; staff: StaffMember; active: string; children: ComponentChildren },
) {
  return (
    <html lang={props.t.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <link rel="stylesheet" href="/assets/style.css" />
      </head>
      <body>
        <header>
          <nav aria-label="Staff">
            <a href="/staff/tickets" aria-current={props.active === 'tickets' ? 'page' : undefined}>
              Ticket
            </a>
            <span>{props.staff.name}</span>
          </nav>
        </header>
        <main id="main">
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  );
}
