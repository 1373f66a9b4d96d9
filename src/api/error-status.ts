import { type ErrorCode, InvalidSettingsError, isKnownError } from '../core/errors.js';

/**
 * The one place where an error of ours becomes an HTTP status. A code not listed is a fault of
 * the server, not of the request: 500, with an id to find it in the log.
 */
const HTTP_STATUS: Partial<Record<ErrorCode, 400 | 403 | 404 | 409>> = {
  NOT_FOUND: 404,
  INVALID_TRANSITION: 409,
  CONFLICT: 409,
  CONSENT_STATE: 409,
  JSON_TOO_DEEP: 400,
  TIME_ENTRY_LOCKED: 409,
  NOT_ENTRY_OWNER: 403,
  INVALID_TIME_ENTRY: 400,
  SETTINGS_INVALID: 400,
  DATE_OUT_OF_RANGE: 400,
};

/** The HTTP status and public code of `error`, or undefined when it is a 500 (unknown, or ours but internal). */
export function clientErrorOf(
  error: unknown,
): { status: number; code: string; fields?: Record<string, string> } | undefined {
  if (!isKnownError(error)) return undefined;
  const status = HTTP_STATUS[error.code];
  if (status === undefined) return undefined;
  // A 400 names the field it is about: the settings' own map, or the `field` of the context.
  const field = status === 400 && 'context' in error ? error.context.field : undefined;
  const fields =
    error instanceof InvalidSettingsError
      ? error.fields
      : typeof field === 'string'
        ? { [field]: error.message }
        : undefined;
  return { status, code: error.code.toLowerCase(), ...(fields ? { fields } : {}) };
}
