/**
 * Telegram Bot API errors: ready-made failures for tests, and the error the fake's method handlers
 * throw to answer `{ ok: false, error_code, description, parameters? }`.
 */
import type { ResponseParameters } from 'grammy/types';
import type { ApiFailure } from './types.js';

/** Ready-made failures for `failNext`. */
export const telegramErrors = {
  tooManyRequests: (retryAfter = 5): ApiFailure => ({
    error_code: 429,
    description: `Too Many Requests: retry after ${retryAfter}`,
    parameters: { retry_after: retryAfter },
  }),
  blocked: (): ApiFailure => ({ error_code: 403, description: 'Forbidden: bot was blocked by the user' }),
  userDeactivated: (): ApiFailure => ({ error_code: 403, description: 'Forbidden: user is deactivated' }),
  kicked: (): ApiFailure => ({
    error_code: 403,
    description: 'Forbidden: bot was kicked from the group chat',
  }),
  chatNotFound: (): ApiFailure => ({ error_code: 400, description: 'Bad Request: chat not found' }),
  migrated: (toChatId: number): ApiFailure => ({
    error_code: 400,
    description: 'Bad Request: group chat was upgraded to a supergroup chat',
    parameters: { migrate_to_chat_id: toChatId },
  }),
  serverError: (): ApiFailure => ({ error_code: 500, description: 'Internal Server Error' }),
  badGateway: (): ApiFailure => ({ error_code: 502, description: 'Bad Gateway' }),
} as const;

/** Thrown by a method handler to answer the call with `failure`. */
export class Failure extends Error {
  constructor(readonly failure: ApiFailure) {
    super(failure.description);
  }
}

/** A 400 `Bad Request: <description>`. */
export const bad = (description: string, parameters?: ResponseParameters): Failure =>
  new Failure({
    error_code: 400,
    description: `Bad Request: ${description}`,
    ...(parameters ? { parameters } : {}),
  });
