import pino from 'pino';

export type Logger = pino.Logger;

/** How log lines look: JSON objects, or readable lines for a person at a terminal. */
export type LogFormat = 'auto' | 'json' | 'pretty';

const redact = {
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
};

/**
 * JSON logs, on stdout unless `destination` is given. Anything that could hold a secret is
 * redacted by key, whatever its depth in the first levels; message bodies are never logged.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact }, destination);
}

/**
 * The logger of `npm start`: with `format` `pretty`, or `auto` and a terminal (`isTty`), lines
 * * like `[01:02:03] INFO: channel email: on {"channel":"email"}` through pino-pretty, run in this thread
 * and loaded only then (it costs ~5 MB that a service writing JSON does not pay); otherwise
 * {@link createLogger}'s JSON lines. Redaction happens before formatting, so it holds in both.
 */
export async function createConsoleLogger(
  level: string,
  format: LogFormat,
  output: NodeJS.WritableStream & { isTTY?: boolean },
): Promise<Logger> {
  const pretty = format === 'pretty' || (format === 'auto' && output.isTTY === true);
  // On stdout both write file descriptor 1 directly and synchronously, so the last line before
  // process.exit() is not lost.
  const toStdout = output === process.stdout;
  if (!pretty) return createLogger(level, toStdout ? undefined : (output as pino.DestinationStream));
  const { default: prettyStream } = await import('pino-pretty');
  return createLogger(
    level,
    prettyStream({
      destination: toStdout ? 1 : output,
      colorize: output.isTTY === true,
      translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname',
      singleLine: true,
      sync: true,
    }),
  );
}
