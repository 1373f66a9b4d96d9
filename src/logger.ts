import pino from 'pino';

export type Logger = pino.Logger;

/**
 * JSON logs on stdout. Anything that could hold a secret is redacted by key, whatever its depth
 * in the first levels; message bodies are never logged. `destination` defaults to stdout.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
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
  };
  return destination ? pino(options, destination) : pino(options);
}
