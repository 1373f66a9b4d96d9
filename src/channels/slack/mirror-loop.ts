/** Drives the thread mirror: a pass every interval, and at once when woken. */
import { errorSummary } from '../../core/errors.js';
import type { Logger } from '../../logger.js';
import type { SlackMirror } from './slack-mirror.js';

/** The longest wait between passes while they keep failing (ms). */
export const MAX_BACKOFF_MS = 60_000;

/**
 * Runs {@link SlackMirror.sync} every `intervalMs` and at once on `wake()`, one pass at a time.
 * After a failed pass the next waits twice as long as the last (up to {@link MAX_BACKOFF_MS}), so
 * a Slack outage is not hammered; the failure is logged once, not at every pass.
 */
export class MirrorLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;
  private failures = 0;
  private lastReason?: string;
  private failingSince?: Date;

  constructor(
    private readonly mirror: SlackMirror,
    private readonly intervalMs: number,
    private readonly logger: Logger,
    private readonly now: () => Date,
  ) {}

  /** While passes keep failing: since when, how many in a row, and the last reason (for `/healthz`). */
  get failure(): { since: Date; passes: number; reason: string } | undefined {
    return this.failingSince && this.lastReason
      ? { since: this.failingSince, passes: this.failures, reason: this.lastReason }
      : undefined;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Run a pass as soon as the current one (if any) ends. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), ms);
    this.timer.unref?.();
  }

  private run(): void {
    if (this.stopped || this.running) return;
    this.running = this.mirror
      .sync()
      .then(() => {
        if (this.failures > 0) this.logger.info({ failures: this.failures }, 'slack: sync passes work again');
        this.failures = 0;
        this.lastReason = undefined;
        this.failingSince = undefined;
      })
      .catch((error: unknown) => {
        this.failures += 1;
        this.failingSince ??= this.now();
        const reason = errorSummary(error);
        if (reason !== this.lastReason) {
          this.logger.warn(
            { reason, failures: this.failures },
            'slack: sync pass failed; retrying with back-off',
          );
        }
        this.lastReason = reason;
      })
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        const again = this.again;
        this.again = false;
        const backoff = Math.min(MAX_BACKOFF_MS, this.intervalMs * 2 ** Math.min(this.failures, 16));
        this.schedule(this.failures > 0 ? Math.max(this.intervalMs, backoff) : again ? 0 : this.intervalMs);
      });
  }
}
