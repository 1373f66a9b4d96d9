/**
 * The consent evidence table (`consents`): append-only rows, one per event. The state of a
 * ticket's consent is read from its latest request and the events that followed it.
 */
import { and, asc, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/database.js';
import { consents } from '../../db/schema.js';

export type ConsentRow = typeof consents.$inferSelect;
export type ConsentEvent = ConsentRow['event'];
export type NewConsentRow = typeof consents.$inferInsert;

/** Outcomes that close a request or its session. */
const CLOSING = new Set(['refused', 'expired', 'revoked', 'session_ended']);

/**
 * Where a ticket's latest consent stands:
 * - `none`: never asked, or the last request is closed (refused, expired, revoked, session ended);
 * - `pending`: asked, unanswered, not expired;
 * - `awaiting_credentials`: granted; the tool's ID and password are still to come (T4);
 * - `granted`: granted, ready for a session;
 * - `in_session`: a session runs (its start in `sessionStartedAt`).
 */
export type ConsentPhase = 'none' | 'pending' | 'awaiting_credentials' | 'granted' | 'in_session';

export interface ConsentState {
  phase: ConsentPhase;
  request?: ConsentRow;
  events: ConsentRow[];
  sessionStartedAt?: Date;
  /** Pending but past its expiry time: the expiry job has not written its row yet. */
  overdue?: boolean;
}

/** Appends one event row; the database refuses any later change to it. */
export async function appendConsent(tx: Tx, row: NewConsentRow): Promise<ConsentRow> {
  const [stored] = await tx.db.insert(consents).values(row).returning();
  return stored!;
}

/** The request row with this id (not an event of it). */
export async function findRequest(tx: Tx, requestId: bigint): Promise<ConsentRow | undefined> {
  const [row] = await tx.db
    .select()
    .from(consents)
    .where(and(eq(consents.id, requestId), isNull(consents.requestId)));
  return row;
}

/** Whether the customer handed credentials over before this request (their first access is done). */
async function hadCredentialsBefore(tx: Tx, request: ConsentRow): Promise<boolean> {
  const [row] = await tx.db
    .select({ id: consents.id })
    .from(consents)
    .where(
      and(
        eq(consents.customerId, request.customerId),
        eq(consents.event, 'credentials_provided'),
        lt(consents.id, request.id),
      ),
    )
    .limit(1);
  return row !== undefined;
}

/**
 * Whether this request needs the tool's ID and password after a yes: at the customer's first
 * remote access, and at every later one unless they chose quick access at registration (T4).
 */
export async function needsCredentials(tx: Tx, request: ConsentRow): Promise<boolean> {
  if (!request.quickAccess) return true;
  return !(await hadCredentialsBefore(tx, request));
}

/** The state of the request's consent at `now` (see {@link ConsentPhase}). */
export async function stateOfRequest(tx: Tx, request: ConsentRow, now: Date): Promise<ConsentState> {
  const events = await tx.db
    .select()
    .from(consents)
    .where(eq(consents.requestId, request.id))
    .orderBy(asc(consents.id));
  const kinds = new Set(events.map((e) => e.event));
  const base = { request, events };
  if (events.some((e) => CLOSING.has(e.event))) return { phase: 'none', ...base };
  if (!kinds.has('granted')) {
    const overdue = request.expiresAt !== null && now.getTime() >= request.expiresAt.getTime();
    return overdue ? { phase: 'none', overdue: true, ...base } : { phase: 'pending', ...base };
  }
  const started = events.find((e) => e.event === 'session_started');
  if (started) return { phase: 'in_session', sessionStartedAt: started.at, ...base };
  if (!kinds.has('credentials_provided') && (await needsCredentials(tx, request))) {
    return { phase: 'awaiting_credentials', ...base };
  }
  return { phase: 'granted', ...base };
}

/** The state of the ticket's latest consent request at `now`. */
export async function consentStateOfTicket(tx: Tx, ticketId: bigint, now: Date): Promise<ConsentState> {
  const [request] = await tx.db
    .select()
    .from(consents)
    .where(and(eq(consents.ticketId, ticketId), isNull(consents.requestId)))
    .orderBy(desc(consents.id))
    .limit(1);
  if (!request) return { phase: 'none', events: [] };
  return stateOfRequest(tx, request, now);
}

/** Every consent row of a ticket or a customer, oldest first. */
export async function listConsents(db: Db, filter: { ticketId?: bigint; customerId?: bigint }) {
  return db
    .select()
    .from(consents)
    .where(
      filter.ticketId !== undefined
        ? eq(consents.ticketId, filter.ticketId)
        : eq(consents.customerId, filter.customerId ?? sql`null`),
    )
    .orderBy(asc(consents.id));
}
