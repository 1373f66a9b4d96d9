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

/**
 * A short, log-safe description of any error. Database errors carry the query parameters (message
 * text, raw mail) in their message; only the driver's own cause is kept, never the parameters.
 */
export function errorSummary(error: unknown, maxLength = 500): string {
  let current: unknown = error;
  // Drizzle wraps the driver error as `cause` and puts the parameters in its own message.
  while (current instanceof Error && current.name === 'DrizzleQueryError' && current.cause)
    current = current.cause;
  const text = current instanceof Error ? `${current.name}: ${current.message}` : String(current);
  return stripNul(text).slice(0, maxLength);
}

/** PostgreSQL text and jsonb cannot hold NUL characters; mail and chat text sometimes does. */
export function stripNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
}
