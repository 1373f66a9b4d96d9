/**
 * How the Telegram adapter judges failures: Bot API errors on sends become `DeliveryError`s the
 * core can act on, and failures while handling an update are either worth retrying (the store or
 * Telegram is away) or permanent (a bug, malformed input) so the update is kept and skipped.
 */

import { protocol } from '@electric-sql/pglite';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { GrammyError, HttpError } from 'grammy';
import pg from 'pg';
import { DeliveryError, errorSummary, FileDownloadError, isKnownError } from '../../core/errors.js';

/** Node and undici error codes of a network or connection problem. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** The error and its causes (`cause`, grammY's `HttpError.error`), outermost first. */
function chain(error: unknown): unknown[] {
  const out: unknown[] = [];
  let current = error;
  while (current !== undefined && current !== null && out.length < 8 && !out.includes(current)) {
    out.push(current);
    const next = current as { cause?: unknown; error?: unknown };
    current = current instanceof HttpError ? next.error : next.cause;
  }
  return out;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A Bot API answer that a later retry can change: rate limit, server error, bad token (a
 * setting to fix, not the message's fault). */
function transientApiError(error: GrammyError): boolean {
  return (
    error.error_code === 429 ||
    error.error_code >= 500 ||
    error.error_code === 401 ||
    error.error_code === 404
  );
}

/**
 * Whether handling an update failed for a reason that may go away (database or Telegram
 * unreachable, rate limit), so the update should be retried later rather than skipped. Bugs
 * (TypeError and the like), invalid data rejected by PostgreSQL (SQLSTATE classes 22, 23, 42)
 * and Telegram's 4xx answers are permanent. Unknown errors count as transient: the caller caps
 * the attempts, so a misjudged one is kept and skipped in the end anyway.
 */
export function isTransientFailure(error: unknown): boolean {
  const errors = chain(error);
  for (const e of errors) {
    if (e instanceof GrammyError) return transientApiError(e);
    if (e instanceof HttpError) return true;
    if (e instanceof DeliveryError) return e.kind === 'transient';
    if (e instanceof FileDownloadError) return true;
    const code = errorCode(e);
    if (code && NETWORK_CODES.has(code)) return true;
    // SQLSTATE: connection exceptions, insufficient resources, operator intervention, system
    // errors, serialization failures and deadlocks, lock not available.
    if (code && /^(08|53|57|58)|^40001$|^40P01$|^55P03$/.test(code)) return true;
  }
  for (const e of errors) {
    if (isKnownError(e)) return false;
    const code = errorCode(e);
    if (code && /^[0-9A-Z]{5}$/.test(code) && /^(22|23|42)/.test(code)) return false;
    if (e instanceof TypeError || e instanceof RangeError || e instanceof SyntaxError) return false;
    if (e instanceof ReferenceError) return false;
  }
  return true;
}

/** A short description for logs and failed-input records: never the request payload (it holds
 * message texts) nor URLs (file URLs hold the bot token). */
export function describeError(error: unknown): string {
  if (error instanceof GrammyError) return `${error.method}: ${error.error_code} ${error.description}`;
  if (error instanceof HttpError) return `${error.message} (${describeError(error.error)})`;
  if (error instanceof DrizzleQueryError) {
    // Drizzle's query errors quote the parameters, i.e. the customer's text: name the cause only.
    return `database query failed: ${errorSummary(error)}`;
  }
  if (error instanceof protocol.messages.DatabaseError || error instanceof pg.DatabaseError) {
    return errorSummary(error);
  }
  if (error instanceof Error) {
    const code = errorCode(error);
    const cause = error.cause instanceof Error ? `: ${describeError(error.cause)}` : '';
    return `${error.name}${code ? ` ${code}` : ''}: ${error.message}${cause}`;
  }
  return String(error);
}

/** The seconds Telegram asked us to wait (429), if it did. */
export function retryAfterSeconds(error: unknown): number | undefined {
  return error instanceof GrammyError ? error.parameters.retry_after : undefined;
}

/**
 * A failed Bot API send as the core's `DeliveryError`: 429 transient after `retry_after`; 403
 * (blocked, kicked, deactivated) permanent and unreachable; 400 with `migrate_to_chat_id`
 * transient towards the new chat; other 4xx permanent; 5xx, network errors and a rejected token
 * (401/404, a setting to fix) transient.
 */
export function toDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const reason = `telegram: ${describeError(error)}`;
  if (error instanceof GrammyError) {
    const code = error.error_code;
    const migrateTo = error.parameters.migrate_to_chat_id;
    if (code === 429) {
      const seconds = error.parameters.retry_after;
      return new DeliveryError('transient', reason, {
        retryAfterMs: seconds !== undefined ? seconds * 1000 : undefined,
        cause: error,
      });
    }
    if (migrateTo !== undefined) {
      return new DeliveryError('transient', reason, {
        migrateToConversation: String(migrateTo),
        cause: error,
      });
    }
    if (code === 403)
      return new DeliveryError('permanent', reason, { recipientUnreachable: true, cause: error });
    if (transientApiError(error)) return new DeliveryError('transient', reason, { cause: error });
    return new DeliveryError('permanent', reason, { cause: error });
  }
  return new DeliveryError('transient', reason, { cause: error });
}
