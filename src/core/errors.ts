import { protocol } from '@electric-sql/pglite';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import pg from 'pg';

import { StoreError, type StoreErrorCode } from '../db/errors.js';

/**
 * Named errors with a code and the context needed to act on them. Callers branch on the class or
 * `code`, never on message text. Every code is listed in {@link ErrorCode}, one class per code; the
 * HTTP status of each is decided in one place, src/api/error-status.ts (unlisted: 500).
 */

export {
  DataDirPermissionsError,
  ParameterTypeError,
  StoredValueCut,
  StoreError,
  StoreLockedError,
} from '../db/errors.js';

/** Every error code of the application. New codes: add the code here and the class at the end. */
export type ErrorCode =
  | StoreErrorCode
  | 'CONFIG_INVALID'
  | 'INVALID_TRANSITION'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'DELIVERY_TRANSIENT'
  | 'DELIVERY_PERMANENT'
  | 'DUPLICATE_INBOUND'
  | 'RETRY_LATER'
  | 'TELEGRAM_FILE_DOWNLOAD_FAILED'
  | 'TELEGRAM_TOKEN_REJECTED'
  | 'TELEGRAM_UNREACHABLE'
  | 'TELEGRAM_NOT_STARTED'
  | 'TELEGRAM_WEBHOOK_FAILED'
  | 'TELEGRAM_WEBHOOK_MISMATCH'
  | 'MAIL_PARSE_FAILED'
  | 'SLACK_SIGNATURE_INVALID'
  | 'SLACK_EVENT_HANDLED'
  | 'CONSENT_STATE'
  | 'JSON_TOO_DEEP'
  | 'TIME_ENTRY_LOCKED'
  | 'NOT_ENTRY_OWNER'
  | 'INVALID_TIME_ENTRY'
  | 'SETTINGS_INVALID'
  | 'DATE_OUT_OF_RANGE'
  | 'SECRET_KEY_MISMATCH';

/** One of ours: a {@link HelpdeskError} or the store's {@link StoreError}; its message is meant for people. */
export function isKnownError(error: unknown): error is HelpdeskError | StoreError {
  return error instanceof HelpdeskError || error instanceof StoreError;
}

export class HelpdeskError extends Error {
  constructor(
    readonly code: ErrorCode,
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
  constructor(
    message: string,
    context: Record<string, unknown> = {},
    code: 'CONFLICT' | 'DATE_OUT_OF_RANGE' = 'CONFLICT',
  ) {
    super(code, message, context);
  }
}

/**
 * A date outside what the helpdesk accepts (src/core/date-bounds.ts): a closure in the past or
 * years ahead. A ConflictError with the field, so forms that show a conflict show it; HTTP 400.
 */
export class DateOutOfRangeError extends ConflictError {
  constructor(field: string, message: string) {
    super(message, { field }, 'DATE_OUT_OF_RANGE');
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

/**
 * Thrown inside the ingest transaction when another ingest stored the same message first (the
 * unique key channel, external id, content hash): the transaction rolls back, the message is a
 * duplicate.
 */
export class DuplicateInbound extends HelpdeskError {
  constructor() {
    super('DUPLICATE_INBOUND', 'the message is already stored');
  }
}

/** An inbound update could not be handled now and must be retried, not skipped (Telegram). */
export class RetryLater extends HelpdeskError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('RETRY_LATER', reason);
    if (options && 'cause' in options) this.cause = options.cause;
  }
}

/** A Telegram file could not be downloaded (network, 5xx of the file server): retry the update. */
export class FileDownloadError extends HelpdeskError {
  constructor(message: string) {
    super('TELEGRAM_FILE_DOWNLOAD_FAILED', message);
  }
}

/** Telegram rejected the bot token (401/404): a setting to fix. */
export class TelegramTokenRejectedError extends HelpdeskError {
  constructor(message: string) {
    super('TELEGRAM_TOKEN_REJECTED', message);
  }
}

/** The Bot API could not be reached when the webhook had to be set. */
export class TelegramUnreachableError extends HelpdeskError {
  constructor(message: string) {
    super('TELEGRAM_UNREACHABLE', message);
  }
}

/** The Telegram channel was used before `start`. */
export class TelegramNotStartedError extends HelpdeskError {
  constructor() {
    super('TELEGRAM_NOT_STARTED', 'the Telegram channel is not started');
  }
}

/** Telegram refused to set the webhook. */
export class TelegramWebhookError extends HelpdeskError {
  constructor(message: string) {
    super('TELEGRAM_WEBHOOK_FAILED', message);
  }
}

/** Telegram reports another webhook URL than ours (another instance on the same token?). */
export class TelegramWebhookMismatchError extends HelpdeskError {
  constructor(message: string) {
    super('TELEGRAM_WEBHOOK_MISMATCH', message);
  }
}

/** A mail could not be parsed within its budget (`timeout`), or the worker parsing it died. */
export class MailParseError extends HelpdeskError {
  constructor(
    readonly reason: 'timeout' | 'worker_failed',
    message: string,
    context: Record<string, unknown> = {},
  ) {
    super('MAIL_PARSE_FAILED', message, { ...context, reason });
  }
}

/** A request that is not provably from Slack (signature `missing` or `mismatch`), or is `stale`: answered 401. */
export class SlackSignatureError extends HelpdeskError {
  constructor(
    readonly reason: 'missing' | 'stale' | 'mismatch',
    message: string,
  ) {
    super('SLACK_SIGNATURE_INVALID', message, { reason });
  }
}

/** A Slack event already handled (by a retry or another instance): rolls back the claim; callers treat it as done. */
export class AlreadyHandled extends HelpdeskError {
  constructor() {
    super('SLACK_EVENT_HANDLED', 'this Slack event was already handled');
  }
}

/**
 * Settings an admin entered that cannot be used (#25): `fields` maps each bad setting to what is
 * wrong with it (business hours format, a negative rate, VAT over 100). HTTP 400.
 */
export class InvalidSettingsError extends HelpdeskError {
  constructor(readonly fields: Record<string, string>) {
    super('SETTINGS_INVALID', `some settings are not valid: ${Object.keys(fields).join(', ')}`, { fields });
  }
}

/**
 * A secret stored encrypted (a staff TOTP secret) cannot be opened with this process's key: the
 * key changed (`APP_SECRET` set, unset or changed; `DATA_DIR/totp.key` lost or replaced), the
 * key file is damaged, or the stored value is not ours. The message says how to recover.
 */
export class SecretKeyError extends HelpdeskError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('SECRET_KEY_MISMATCH', message, context);
  }
}
