import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream } from 'smtp-server';

/** One message received by the capture server. */
export interface CapturedMessage {
  envelope: { from: string; to: string[] };
  raw: Buffer;
  parsed: ParsedMail;
}

/** Which failure {@link SmtpCapture.failNext} injects: 451 4.3.0 (retry later) or 550 5.1.1 (give up). */
export type SmtpFailureKind = 'transient' | 'permanent';

/** The SMTP command whose reply {@link SmtpCapture.failNext} replaces. */
export type SmtpFailureStage = 'data' | 'rcpt';

/** A capturing SMTP server on loopback, for asserting what the app sends. */
export interface SmtpCapture {
  host: '127.0.0.1';
  port: number;
  /** Credentials the server requires, if any were given. */
  auth?: { user: string; pass: string };
  /** Received messages, oldest first (the same array across `clear()`). */
  messages: CapturedMessage[];
  /** Resolves with a copy of `messages` once at least `count` have arrived; rejects after `timeoutMs`. */
  waitForMessages(count: number, timeoutMs?: number): Promise<CapturedMessage[]>;
  /** Resolves with the first (already received or future) message matching `predicate`. */
  waitFor(predicate: (msg: CapturedMessage) => boolean, timeoutMs?: number): Promise<CapturedMessage>;
  /**
   * Answers the next `times` DATA (default) or RCPT TO commands with an error: `transient` gives
   * `451 4.3.0`, `permanent` gives `550 5.1.1 mailbox unavailable`. Failed messages are not captured.
   */
  failNext(kind: SmtpFailureKind, times?: number, stage?: SmtpFailureStage): void;
  /** Holds the reply to each of the next `times` DATA commands for `ms` (a slow peer). */
  holdNext(ms: number, times?: number): void;
  /** Forgets received messages and pending failures. */
  clear(): void;
  /** Closes the server (open client connections are dropped after 1 s). */
  stop(): Promise<void>;
}

interface Waiter {
  check(): boolean;
}

type SmtpError = Error & { responseCode: number };

function failure(kind: SmtpFailureKind): SmtpError {
  const err =
    kind === 'transient'
      ? new Error('4.3.0 Temporary failure, please try again later')
      : new Error('5.1.1 Mailbox unavailable');
  return Object.assign(err, { responseCode: kind === 'transient' ? 451 : 550 });
}

function readStream(stream: SMTPServerDataStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/**
 * Starts a capturing SMTP server (smtp-server) on 127.0.0.1 and a free port, without STARTTLS,
 * with a 50 MB size limit. With `user` and `password`, AUTH is required and must match them.
 */
export async function startSmtpCapture(
  /** `port`: listen there (a server coming back where it was); default a free one. */
  options: { user?: string; password?: string; port?: number } = {},
): Promise<SmtpCapture> {
  const { user, password } = options;
  const requireAuth = user !== undefined && password !== undefined;
  const messages: CapturedMessage[] = [];
  const failures: Record<SmtpFailureStage, SmtpFailureKind[]> = { data: [], rcpt: [] };
  const holds: number[] = [];
  const waiters = new Set<Waiter>();
  const notify = () => {
    for (const w of waiters) if (w.check()) waiters.delete(w);
  };

  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: !requireAuth,
    size: 50 * 1024 * 1024,
    logger: false,
    closeTimeout: 1_000,
    disableReverseLookup: true,
    onAuth(auth, _session, callback) {
      if (!requireAuth || (auth.username === user && auth.password === password)) {
        callback(null, { user: auth.username });
        return;
      }
      callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
    onRcptTo(_address: SMTPServerAddress, _session, callback) {
      const kind = failures.rcpt.shift();
      callback(kind ? failure(kind) : null);
    },
    onData(stream, session, callback) {
      readStream(stream)
        .then(async (raw) => {
          if (stream.sizeExceeded) {
            callback(Object.assign(new Error('5.3.4 Message too big'), { responseCode: 552 }));
            return;
          }
          const holdMs = holds.shift();
          if (holdMs) await new Promise((resolve) => setTimeout(resolve, holdMs));
          const kind = failures.data.shift();
          if (kind) {
            callback(failure(kind));
            return;
          }
          const parsed = await simpleParser(raw);
          const from = session.envelope.mailFrom;
          messages.push({
            envelope: { from: from ? from.address : '', to: session.envelope.rcptTo.map((r) => r.address) },
            raw,
            parsed,
          });
          callback(null);
          notify();
        })
        .catch((err: Error) => callback(err));
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  const wait = <T>(describe: string, timeoutMs: number, ready: () => T | undefined): Promise<T> => {
    const now = ready();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        check() {
          const value = ready();
          if (value === undefined) return false;
          clearTimeout(timer);
          resolve(value);
          return true;
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        const got = messages.map((m) => JSON.stringify(m.parsed.subject ?? '')).join(', ');
        reject(
          new Error(`SMTP capture: timed out after ${timeoutMs} ms waiting for ${describe}; got [${got}]`),
        );
      }, timeoutMs);
      waiters.add(waiter);
    });
  };

  return {
    host: '127.0.0.1',
    port,
    auth: requireAuth ? { user, pass: password } : undefined,
    messages,
    waitForMessages(count, timeoutMs = 10_000) {
      return wait(`${count} message(s)`, timeoutMs, () =>
        messages.length >= count ? [...messages] : undefined,
      );
    },
    waitFor(predicate, timeoutMs = 10_000) {
      return wait('a matching message', timeoutMs, () => messages.find(predicate));
    },
    failNext(kind, times = 1, stage = 'data') {
      for (let i = 0; i < times; i++) failures[stage].push(kind);
    },
    holdNext(ms, times = 1) {
      for (let i = 0; i < times; i++) holds.push(ms);
    },
    clear() {
      messages.length = 0;
      holds.length = 0;
      failures.data.length = 0;
      failures.rcpt.length = 0;
    },
    stop() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
