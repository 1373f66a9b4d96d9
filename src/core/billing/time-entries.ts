/**
 * Time entries on the store: logging, correcting, deleting (issue #24). Technicians correct only
 * their own entries, and only until they are billed; the database refuses changes to billed rows
 * too (trigger `time_entries_billed_locked`), so no other path can alter an invoiced entry.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { Tx } from '../../db/database.js';
import { timeEntries } from '../../db/schema.js';
import { audit } from '../audit.js';
import { redactText } from '../consent/redaction.js';
import type { CoreContext } from '../core-context.js';
import { workStartProblem } from '../date-bounds.js';
import { InvalidTimeEntryError, NotEntryOwnerError, NotFoundError, TimeEntryLockedError } from '../errors.js';
import { getTicketByNumber } from '../tickets.js';
import { MAX_ENTRY_MINUTES } from './duration.js';
import { ENTRY_KINDS, type EntryKind } from './pricing.js';

export type TimeEntryRow = typeof timeEntries.$inferSelect;
export type TimeEntrySource = 'api' | 'slack' | 'web' | 'timer' | 'remote_session';

export interface TimeEntryInput {
  ticketNumber: number;
  /** Who did the work (the technician's name, as in the ticket's assignee). */
  technician: string;
  /** Whole minutes, 1 … 1440. */
  minutes: number;
  kind: EntryKind;
  /** When the work started; default: `minutes` before now. */
  startedAt?: Date;
  /** Default true. */
  billable?: boolean;
  note?: string;
  source: TimeEntrySource;
  /** For the audit log; default `technician:<technician>`. */
  actor?: string;
}

function checkMinutes(minutes: number): void {
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_ENTRY_MINUTES) {
    throw new InvalidTimeEntryError(
      `minutes must be a whole number from 1 to ${MAX_ENTRY_MINUTES}, got ${minutes}`,
    );
  }
}

/** Refuses a start before 2000 or in the future beyond the tolerance (src/core/date-bounds.ts). */
function checkStart(startedAt: Date, now: Date): void {
  const problem = workStartProblem(startedAt, now);
  if (problem) throw new InvalidTimeEntryError(problem, { field: 'startedAt' });
}

function checkKind(kind: string): asserts kind is EntryKind {
  if (!(ENTRY_KINDS as readonly string[]).includes(kind)) {
    throw new InvalidTimeEntryError(`kind must be one of ${ENTRY_KINDS.join(', ')}, got ${kind}`);
  }
}

/**
 * Logs work on a ticket, confirmed (billable at once unless `billable: false`), inside `tx`.
 * The seam for remote sessions (#21): at session end call
 * `recordTimeEntry(core, tx, { ticketNumber, technician, startedAt, minutes, kind: 'remote', source: 'remote_session', note })`.
 * Throws NotFoundError (no such ticket) or InvalidTimeEntryError (minutes outside 1–1440, kind,
 * a start before 2000 or more than 1 h ahead of the clock).
 */
export async function recordTimeEntry(
  ctx: CoreContext,
  tx: Tx,
  input: TimeEntryInput,
): Promise<TimeEntryRow> {
  checkMinutes(input.minutes);
  checkKind(input.kind);
  const ticket = await getTicketByNumber(tx, input.ticketNumber);
  const now = ctx.now();
  const startedAt = input.startedAt ?? new Date(now.getTime() - input.minutes * 60_000);
  checkStart(startedAt, now);
  const [row] = await tx.db
    .insert(timeEntries)
    .values({
      ticketId: ticket.id,
      technician: input.technician,
      startedAt,
      minutes: input.minutes,
      kind: input.kind,
      billable: input.billable ?? true,
      // A description is redacted like a reply (T8): it is shown on statements and exports.
      note: redactText(input.note ?? '').text,
      status: 'confirmed',
      source: input.source,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  await audit(tx, {
    actor: input.actor ?? `technician:${input.technician}`,
    action: 'time.logged',
    ticketId: ticket.id,
    data: { entryId: row!.id.toString(), minutes: input.minutes, kind: input.kind, source: input.source },
  });
  return row!;
}

/** A ticket's entries, oldest first (start, then id). */
export async function listTimeEntries(tx: Tx, ticketId: bigint): Promise<TimeEntryRow[]> {
  return tx.db
    .select()
    .from(timeEntries)
    .where(eq(timeEntries.ticketId, ticketId))
    .orderBy(asc(timeEntries.startedAt), asc(timeEntries.id));
}

/** The entry, locked for the change; refused when billed or someone else's. */
async function ownEntry(
  tx: Tx,
  ticketId: bigint,
  entryId: bigint,
  technician: string,
): Promise<TimeEntryRow> {
  const [entry] = await tx.db
    .select()
    .from(timeEntries)
    .where(and(eq(timeEntries.id, entryId), eq(timeEntries.ticketId, ticketId)))
    .for('update');
  if (!entry) throw new NotFoundError('time entry', entryId.toString());
  if (entry.billedAt) throw new TimeEntryLockedError(entryId.toString());
  if (entry.technician !== technician) throw new NotEntryOwnerError(entryId.toString(), technician);
  return entry;
}

export interface TimeEntryPatch {
  minutes?: number;
  kind?: EntryKind;
  startedAt?: Date;
  billable?: boolean;
  note?: string;
  /** `confirmed`: a timer that stopped itself is confirmed (and so billed from now on). */
  status?: 'confirmed';
}

/**
 * A technician corrects their own entry (not billed yet). Throws NotFoundError,
 * TimeEntryLockedError (billed), NotEntryOwnerError, InvalidTimeEntryError.
 */
export async function updateTimeEntry(
  ctx: CoreContext,
  tx: Tx,
  input: { ticketNumber: number; entryId: bigint; technician: string; patch: TimeEntryPatch; actor?: string },
): Promise<TimeEntryRow> {
  const ticket = await getTicketByNumber(tx, input.ticketNumber);
  const entry = await ownEntry(tx, ticket.id, input.entryId, input.technician);
  const patch =
    input.patch.note === undefined
      ? input.patch
      : { ...input.patch, note: redactText(input.patch.note).text };
  if (patch.minutes !== undefined) checkMinutes(patch.minutes);
  if (patch.kind !== undefined) checkKind(patch.kind);
  if (patch.startedAt !== undefined) checkStart(patch.startedAt, ctx.now());
  if (entry.status === 'running' && (patch.minutes !== undefined || patch.status)) {
    throw new InvalidTimeEntryError(`time entry ${entry.id} is a running timer: stop it first`);
  }
  const [row] = await tx.db
    .update(timeEntries)
    .set({ ...patch, updatedAt: ctx.now() })
    .where(eq(timeEntries.id, entry.id))
    .returning();
  await audit(tx, {
    actor: input.actor ?? `technician:${input.technician}`,
    action: 'time.corrected',
    ticketId: ticket.id,
    data: { entryId: entry.id.toString(), before: { minutes: entry.minutes, kind: entry.kind }, patch },
  });
  return row!;
}

/** A technician deletes their own entry (not billed yet). Throws as {@link updateTimeEntry}. */
export async function deleteTimeEntry(
  tx: Tx,
  input: { ticketNumber: number; entryId: bigint; technician: string; actor?: string },
): Promise<void> {
  const ticket = await getTicketByNumber(tx, input.ticketNumber);
  const entry = await ownEntry(tx, ticket.id, input.entryId, input.technician);
  await tx.db.delete(timeEntries).where(eq(timeEntries.id, entry.id));
  await audit(tx, {
    actor: input.actor ?? `technician:${input.technician}`,
    action: 'time.deleted',
    ticketId: ticket.id,
    data: { entryId: entry.id.toString(), minutes: entry.minutes, kind: entry.kind },
  });
}
