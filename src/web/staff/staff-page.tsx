/**
 * What the routes of the staff pages share (registrations, unmatched messages, accounts…): the page
 * with its notices, the route's `:id`, the audit actor, `?done=` notices, and known refusals
 * shown on the page. The tables and row forms they render: staff-table.tsx.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { Notice, type PageContext } from '../views/layout.js';
import { pageContext, sendPage, type WebDeps } from '../web-ui.js';
import { staffMessages } from './staff-i18n.js';
import { navLabel, StaffLayout, type StaffNav } from './staff-layout.js';
import { doneQuery, staffQuery } from './staff-query.js';

/** Who made a change, in the audit log: the staff member's email. */
/** The audit actor of the signed-in staff member: `staff:<account id>` (src/core/actors.ts). */
export const staffActor = (request: FastifyRequest) => `staff:${request.staff!.id}`;

/** The route's `:id` when it is a whole number a bigint column holds; undefined otherwise. */
export function idParam(request: FastifyRequest): bigint | undefined {
  const raw = (request.params as { id?: string }).id ?? '';
  return /^\d{1,18}$/.test(raw) ? BigInt(raw) : undefined;
}

/** What a page says after an action: what went wrong, or what was done. */
export interface PageState {
  error?: string;
  notice?: string;
}

/**
 * The notice of `?done=<key>` from `texts`, if the key is one of them.
 * @throws StaffQueryRefused when `done` is not even a key (staff-query.ts)
 */
export function doneNotice(request: FastifyRequest, texts: Record<string, string>): string | undefined {
  const { done } = staffQuery(request, doneQuery);
  return done !== undefined && Object.hasOwn(texts, done) ? texts[done] : undefined;
}

/**
 * What a staff page's routes share: the CSRF pre-handler, the page's texts (`textsOf`) in the
 * request's language, and `renderer`, which makes the page's `render` — the layout with the nav
 * entry `active` (its name is the title), the state's notices, then what `body` makes of the page
 * context, the texts and the state.
 */
export function staffPageKit<T>(
  scope: FastifyInstance,
  deps: Pick<WebDeps, 'settings'>,
  textsOf: (lang: string) => T,
) {
  const ctxOf = (request: FastifyRequest, reply: FastifyReply) => pageContext(request, reply, deps.settings);
  const renderer =
    <S extends PageState>(page: {
      active: StaffNav;
      body: (ctx: PageContext, texts: T, state: S) => Promise<ComponentChildren>;
    }) =>
    async (request: FastifyRequest, reply: FastifyReply, state: S, status = 200) => {
      const ctx = ctxOf(request, reply);
      const body = await page.body(ctx, textsOf(ctx.t.lang), state);
      const title = navLabel(page.active, staffMessages(ctx.t.lang));
      return sendPage(
        reply,
        <StaffLayout {...ctx} title={title} staff={request.staff} active={page.active}>
          {state.error && <Notice kind="error">{state.error}</Notice>}
          {state.notice && <Notice kind="ok">{state.notice}</Notice>}
          {body}
        </StaffLayout>,
        status,
      );
    };
  return {
    csrf: { preHandler: scope.csrfProtection },
    texts: (request: FastifyRequest, reply: FastifyReply) => textsOf(ctxOf(request, reply).t.lang),
    renderer,
  };
}

/**
 * Runs `act` on the route's `:id`. A refusal — an id that is not a number, or what the core
 * names (NotFoundError: gone; ConflictError: no longer possible) — goes to `refused`, which shows
 * the page again with why. Anything else is thrown (the error page).
 */
export async function actOnId<T>(
  request: FastifyRequest,
  act: (id: bigint) => Promise<T>,
  refused: (error: NotFoundError | ConflictError) => T | Promise<T>,
): Promise<T> {
  try {
    const id = idParam(request);
    if (id === undefined) throw new NotFoundError('record', 'invalid');
    return await act(id);
  } catch (caught) {
    if (caught instanceof NotFoundError || caught instanceof ConflictError) return refused(caught);
    throw caught;
  }
}
