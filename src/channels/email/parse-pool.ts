/**
 * Parses mail off the main thread. mailparser, sanitize-html and html-to-text are synchronous and
 * superlinear on hostile input (deeply nested HTML: seconds per MB), so {@link parseMail} runs in a
 * worker thread (piscina) with a time budget; a mail that exceeds it, or kills the worker, rejects
 * with {@link MailParseError} and the caller keeps it raw. The pool starts its single worker on the
 * first mail and lets it go after `idleTimeoutMs`, so an idle process holds no second V8 heap.
 * See docs/hostile-mail.md.
 */
import type { Piscina } from 'piscina';
import type { InboundMessage } from '../../core/channel.js';
import { MailParseError } from '../../core/errors.js';
import type { ParseMailOptions } from './parse-mail.js';
import type { ParsedWithoutRaw, ParseTask } from './parse-worker.js';

export { MailParseError };

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

/** piscina, imported with the first mail: an idle process does not hold its code (docs/performance.md#memory). */
let PiscinaClass: typeof Piscina | undefined;

/** A started pool, and a promise that rejects when its worker dies holding no task. */
interface RunningPool {
  pool: Piscina<ParseTask, ParsedWithoutRaw>;
  died: Promise<never>;
}

/** A lazily started pool of one worker thread running {@link parseMail}. */
export class MailParsePool {
  private running?: RunningPool;
  /** The next task starts a worker (none yet, or the last one was stopped). */
  private cold = true;
  /** Counts for tests and the benchmark. */
  readonly stats = { parsed: 0, timedOut: 0, workerFailures: 0 };

  constructor(private readonly options: MailParsePoolOptions) {}

  /** Worker threads alive now (0 when idle). */
  get threads(): number {
    return this.running?.pool.threads.length ?? 0;
  }

  /**
   * Parses one raw mail in the worker. Rejects with {@link MailParseError} on timeout or a dead
   * worker, and with the parser's own error when mailparser cannot read the mail.
   */
  async parse(raw: Buffer, options: ParseMailOptions): Promise<InboundMessage> {
    // Shared memory is shared with the worker, not copied (the caller made it so: toSharedBuffer);
    // otherwise a copy of just these bytes (the Buffer may view a larger one), moved.
    const shared = raw.buffer instanceof SharedArrayBuffer;
    const input = shared ? new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) : new Uint8Array(raw);
    const task: ParseTask = {
      raw: input,
      maxAttachmentBytes: options.maxAttachmentBytes,
      maxMailBytes: options.maxMailBytes,
      now: options.now.getTime(),
      own: options.own,
    };
    PiscinaClass ??= (await import('piscina')).Piscina;
    let running = this.start();
    if (this.cold || this.threads === 0) {
      // Start the worker on a tiny mail first, so the budget is the parse's alone. A worker that
      // dies while starting (a small heap, a busy machine) is not the mail's fault: one more try.
      try {
        running = await this.warmUp(task).catch(async (error: unknown) => {
          if (!isWorkerDeath(error)) throw error;
          await this.close();
          return this.warmUp(task);
        });
      } catch (error) {
        this.stats.workerFailures++;
        await this.close();
        throw new MailParseError('worker_failed', `the mail parser worker did not start (${codeOf(error)})`, {
          bytes: raw.length,
        });
      }
      this.cold = false;
    }
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const message = await Promise.race([
        running.pool.run(task, { signal, transferList: shared ? [] : [input.buffer as ArrayBuffer] }),
        running.died,
      ]);
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

  /** The pool, created on first use or after its worker died. */
  private start(): RunningPool {
    if (this.running) return this.running;
    if (!PiscinaClass) throw new Error('piscina is imported by parse() before the pool starts');
    const pool = new PiscinaClass<ParseTask, ParsedWithoutRaw>({
      filename: workerFilename(),
      minThreads: 0,
      maxThreads: 1,
      idleTimeout: this.options.idleTimeoutMs ?? 30_000,
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb ?? 384 },
      // Options of the main process such as --expose-gc are not for the worker.
      execArgv: [],
    });
    // piscina rejects the task of a worker that dies holding one. A worker that dies holding none
    // (while it starts, or idle) is an 'error' event instead, unhandled if nobody listens, and the
    // queued task would wait for ever (piscina starts no more workers after a failed start): the
    // pool is dropped and the task in flight rejected, so the next mail starts a new one.
    const died = new Promise<never>((_resolve, reject) => {
      pool.on('error', (error: unknown) => {
        if (this.running?.pool === pool) this.running = undefined;
        this.cold = true;
        // Told first: destroying the pool rejects the queued task too, with a vaguer error.
        reject(error);
        setImmediate(() => void pool.destroy().catch(() => undefined));
      });
    });
    // Raced against each task; a death while nothing runs has nobody to tell.
    died.catch(() => undefined);
    this.running = { pool, died };
    return this.running;
  }

  private async warmUp(task: ParseTask): Promise<RunningPool> {
    const running = this.start();
    const signal = AbortSignal.timeout(this.options.startupMs ?? 30_000);
    await Promise.race([running.pool.run({ ...task, raw: WARM_UP_MAIL }, { signal }), running.died]);
    return running;
  }

  /** Stops the worker, aborting a parse in progress. */
  async close(): Promise<void> {
    const pool = this.running?.pool;
    this.running = undefined;
    this.cold = true;
    await pool?.destroy();
  }
}

/**
 * The bytes in memory shared with the parse worker: {@link MailParsePool.parse} then hands the
 * worker the same memory instead of a copy, so a 25 MB mail is held once, not twice, while it is
 * parsed. If the worker is stopped mid-parse the memory stays the caller's (the raw mail to keep).
 */
export function toSharedBuffer(data: Uint8Array): Buffer {
  const shared = Buffer.from(new SharedArrayBuffer(data.byteLength));
  shared.set(data);
  return shared;
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown; name?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.name : 'unknown';
}

/** Out of memory, a crash (`ERR_WORKER_*`), or the worker's code exiting the thread. */
function isWorkerDeath(error: unknown): boolean {
  if (codeOf(error).startsWith('ERR_WORKER_')) return true;
  return error instanceof Error && /^worker exited with code/.test(error.message);
}
