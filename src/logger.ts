import pino from 'pino';

export type Logger = pino.Logger;

/**
 * JSON logs on stdout. Anything that could hold a secret is redacted by key, whatever its depth
 * in the first levels; message bodies are never logged.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'password',
        '*.password',
        'token',
        '*.token',
        'authorization',
        '*.authorization',
        'req.headers.authorization',
        'req.headers["x-telegram-bot-api-secret-token"]',
        'text',
        '*.text',
      ],
      censor: '[redacted]',
    },
  });
}
