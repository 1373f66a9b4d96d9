/**
 * Parses mail off the main thread. mailparser, sanitize-html and html-to-text are synchronous and
 * superlinear on hostile input (deeply nested HTML: seconds per MB), so {@link parseMail} runs in a
 * worker thread (piscina) with a time budget; a mail that exceeds it, or kills the worker, rejects
 * with {@link MailParseError} and the caller keeps it raw. The pool starts its single worker on the
 * first mail and lets it go after `idleTimeoutMs`, so an idle process holds no second V8 heap.
 * See docs/hostile-mail.md.
 */
import { Piscina } from 'piscina';
import type { InboundMessage } from '../../core/channel.js';
import { HelpdeskError } from '../../core/errors.js';
import type { ParseMailOptions } from './parse-mail.js';
import type { ParsedWithoutRaw, ParseTask } from './parse-worker.js';

/** A mail could not be parsed within its budget, or the worker parsing it died. */
export class MailParseError extends HelpdeskError {
  constructor(
    readonly reason: 'timeout' | 'worker_failed',
    message: string,
    context: Record<string, unknown> = {},
  ) {
    super(reason === 'timeout' ? 'MAIL_PARSE_TIMEOUT' : 'MAIL_PARSE_WORKER_FAILED', message, context);
  }
}

export interface MailParsePoolOptions {
  /** Wall-clock budget of one mail, in ms. */
  timeoutMs: number;
  /** The worker exits after this many ms without work (default 30 s). */
  idleTimeoutMs?: number;
  /** V8 old-generation limit of the worker, in MB (default 384): a runaway parse dies alone. */
  maxHeapMb?: number;
  /** Time a worker may take to start, in ms (default 30 s), not counted in the budget. */
  startupMs?: number;
}

const WARM_UP_MAIL = new TextEncoder().encode('Subject: warm-up\r\n\r\n.\r\n');

/** The worker module: compiled next to the bundle's chunks, or the TypeScript source via tsx. */
function workerFilename(): string {
  const here = import.meta.url;
  const file = here.endsWith('.ts') ? './parse-worker-loader.mjs' : './parse-worker.js';
  return new URL(file, here).href;
}

/** A lazily started pool of one worker thread running {@link parseMail}. */
export class MailParsePool {
  private pool?: Piscina<ParseTask, ParsedWithoutRaw>;
  /** The next task starts a worker (none yet, or the last one was stopped). */
  private cold = true;
  /** Counts for tests and the benchmark. */
  readonly stats = { parsed: 0, timedOut: 0, workerFailures: 0 };

  constructor(private readonly options: MailParsePoolOptions) {}

  /** Worker threads alive now (0 when idle). */
  get threads(): number {
    return this.pool?.threads.length ?? 0;
  }

  /**
   * Parses one raw mail in the worker. Rejects with {@link MailParseError} on timeout or a dead
   * worker, and with the parser's own error when mailparser cannot read the mail.
   */
  async parse(raw: Buffer, options: ParseMailOptions): Promise<InboundMessage> {
    this.pool ??= new Piscina<ParseTask, ParsedWithoutRaw>({
      filename: workerFilename(),
      minThreads: 0,
      maxThreads: 1,
      idleTimeout: this.options.idleTimeoutMs ?? 30_000,
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb ?? 384 },
      // Options of the main process such as --expose-gc are not for the worker.
      execArgv: [],
    });
    // A copy of just these bytes (the Buffer may view a larger one), moved rather than cloned.
    const copy = new Uint8Array(raw);
    const task: ParseTask = {
      raw: copy,
      maxAttachmentBytes: options.maxAttachmentBytes,
      maxMailBytes: options.maxMailBytes,
      now: options.now.getTime(),
      own: options.own,
    };
    if (this.cold || this.threads === 0) {
      // Start the worker on a tiny mail first, so the budget is the parse's alone.
      try {
        await this.pool.run(
          { ...task, raw: WARM_UP_MAIL },
          { signal: AbortSignal.timeout(this.options.startupMs ?? 30_000) },
        );
      } catch (error) {
        this.stats.workerFailures++;
        throw new MailParseError('worker_failed', `the mail parser worker did not start (${codeOf(error)})`, {
          bytes: raw.length,
        });
      }
      this.cold = false;
    }
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const message = await this.pool.run(task, { signal, transferList: [copy.buffer] });
      this.stats.parsed++;
      return { ...message, raw: { contentType: 'message/rfc822', data: raw } };
    } catch (error) {
      if (signal.aborted) {
        // piscina stops the worker of an aborted task; the next mail starts another.
        this.cold = true;
        this.stats.timedOut++;
        throw new MailParseError('timeout', `mail not parsed within ${this.options.timeoutMs} ms`, {
          bytes: raw.length,
        });
      }
      if (isWorkerDeath(error)) {
        this.cold = true;
        this.stats.workerFailures++;
        throw new MailParseError('worker_failed', `the mail parser worker died (${codeOf(error)})`, {
          bytes: raw.length,
        });
      }
      throw error;
    }
  }

  /** Stops the worker, aborting a parse in progress. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy();
  }
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown; name?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : 'unknown';
}

function isWorkerDeath(error: unknown): boolean {
  return codeOf(error).startsWith('ERR_WORKER_');
}
