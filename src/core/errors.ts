import { protocol } from '@electric-sql/pglite';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import pg from 'pg';

/**
 * Named errors with a code and the context needed to act on them. Callers branch on `code`,
 * never on message text.
 */

export class HelpdeskError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly context: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A setting is missing or invalid; the message says which and how to fix it. */
export class ConfigError extends HelpdeskError {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super('CONFIG_INVALID', message, { setting });
  }
}

/** A ticket status change that the lifecycle does not allow. */
export class InvalidTransitionError extends HelpdeskError {
  constructor(
    readonly from: string,
    readonly to: string,
    ticketNumber: number,
  ) {
    super('INVALID_TRANSITION', `ticket #${ticketNumber}: cannot go from ${from} to ${to}`, {
      from,
      to,
      ticketNumber,
    });
  }
}

export class NotFoundError extends HelpdeskError {
  constructor(what: string, id: string | number) {
    super('NOT_FOUND', `${what} ${id} not found`, { what, id });
  }
}

export class ConflictError extends HelpdeskError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('CONFLICT', message, context);
  }
}

/** The data directory is in use by another running process. */
export class StoreLockedError extends HelpdeskError {
  constructor(dataDir: string, pid: number) {
    super(
      'STORE_LOCKED',
      `the data directory ${dataDir} is already in use by process ${pid}; stop that process first, or set DATA_DIR to another directory`,
      { dataDir, pid },
    );
  }
}

/** The embedded store's directory is open to other users; PostgreSQL refuses the same. */
export class DataDirPermissionsError extends HelpdeskError {
  constructor(dataDir: string, mode: number) {
    const octal = mode.toString(8).padStart(4, '0');
    super(
      'DATA_DIR_PERMISSIONS',
      `the data directory ${dataDir} can be read by other users (mode ${octal}); it holds every ticket and the store's secrets. Run: chmod 700 '${dataDir}' (or set DATA_DIR to a private directory)`,
      { dataDir, mode: octal },
    );
  }
}

/**
 * A query parameter's JavaScript type does not fit the column (bytes for a text column, an object
 * for a number): refused rather than stored as its string form. The value is never quoted.
 */
export class ParameterTypeError extends HelpdeskError {
  constructor(position: number, typeId: number, valueKind: string) {
    super(
      'DB_PARAMETER_TYPE',
      `query parameter $${position} is ${valueKind}, which does not fit PostgreSQL type ${typeId}`,
      { position, typeId, valueKind },
    );
  }
}

/**
 * A channel could not deliver a message. `transient` errors are retried with back-off (or after
 * `retryAfterMs` when the peer said so); permanent ones mark the delivery failed with `reason`.
 */
export class DeliveryError extends HelpdeskError {
  constructor(
    readonly kind: 'transient' | 'permanent',
    readonly reason: string,
    readonly options: {
      retryAfterMs?: number;
      /** The recipient blocked us or no longer exists: mark the identity unreachable. */
      recipientUnreachable?: boolean;
      /** The conversation moved (Telegram group → supergroup): retry there. */
      migrateToConversation?: string;
      cause?: unknown;
    } = {},
  ) {
    super(kind === 'transient' ? 'DELIVERY_TRANSIENT' : 'DELIVERY_PERMANENT', reason, {
      retryAfterMs: options.retryAfterMs,
    });
  }
}

/** PostgreSQL's error as PGlite (embedded) or node-postgres (server) hands it over. */
/** The SQLSTATE of a PostgreSQL error, through Drizzle's wrapper (`23505`: unique violation). */
export function databaseErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  while (current instanceof DrizzleQueryError && current.cause) current = current.cause;
  return isDatabaseError(current) ? current.code : undefined;
}

function isDatabaseError(error: unknown): error is Error & { code?: string } {
  return error instanceof protocol.messages.DatabaseError || error instanceof pg.DatabaseError;
}

/**
 * A PostgreSQL message without the values it quotes: `invalid input syntax for type integer:
 * "<the customer's text>"` keeps its first part only. Identifiers (index, column names) stay.
 */
function withoutQuotedValue(message: string): string {
  return message.split('\n')[0]!.replace(/:\s*"[\s\S]*$/, ': "…"');
}

/**
 * A short, log-safe description of any error, classified by its class (never by its `name`):
 * Drizzle's query errors quote the statement's parameters (message text, raw mail) and are
 * replaced by their cause; PostgreSQL's errors keep their SQLSTATE and lose any quoted value;
 * other errors give `name: message`. Safe for logs, failed-input records and staff alerts.
 */
export function errorSummary(error: unknown, maxLength = 500): string {
  let current: unknown = error;
  while (current instanceof DrizzleQueryError) {
    if (!current.cause) return 'database query failed';
    current = current.cause;
  }
  let text: string;
  if (isDatabaseError(current)) {
    text = `database error${current.code ? ` ${current.code}` : ''}: ${withoutQuotedValue(current.message)}`;
  } else if (current instanceof Error) {
    text = `${current.name}: ${current.message}`;
  } else {
    text = String(current);
  }
  return stripNul(text).slice(0, maxLength);
}

/** PostgreSQL text and jsonb cannot hold NUL characters; mail and chat text sometimes does. */
export function stripNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
}

/**
 * A remote-access consent action that the consent's current state does not allow (asking while a
 * request is pending, starting a session without a yes). Terms T4, T5. HTTP 409.
 */
export class ConsentStateError extends HelpdeskError {
  constructor(ticketNumber: number, message: string, state: string) {
    super('CONSENT_STATE', `ticket #${ticketNumber}: ${message}`, { ticketNumber, state });
  }
}

/** A JSON body nested deeper than the API accepts (issue 17: parsing it stalled the process). */
export class JsonTooDeepError extends HelpdeskError {
  constructor(readonly maxDepth: number) {
    super('JSON_TOO_DEEP', `the JSON body is nested deeper than ${maxDepth} levels`, { maxDepth });
  }
}

/** A billed time entry: locked, as the invoice it went into (issue #24). */
export class TimeEntryLockedError extends HelpdeskError {
  constructor(entryId: string) {
    super('TIME_ENTRY_LOCKED', `time entry ${entryId} is billed and cannot change`, { entryId });
  }
}

/** Technicians correct only their own time entries (issue #24). */
export class NotEntryOwnerError extends HelpdeskError {
  constructor(entryId: string, technician: string) {
    super('NOT_ENTRY_OWNER', `time entry ${entryId} was logged by another technician, not ${technician}`, {
      entryId,
    });
  }
}

/** A time entry that cannot be stored as given (no minutes, too long, wrong kind). */
export class InvalidTimeEntryError extends HelpdeskError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('INVALID_TIME_ENTRY', message, context);
  }
}
