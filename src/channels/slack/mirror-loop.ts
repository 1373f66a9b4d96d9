/** Drives the thread mirror: a pass every interval, and at once when woken. */
import { errorSummary } from '../../core/errors.js';
import type { Logger } from '../../logger.js';
import type { SlackMirror } from './slack-mirror.js';

/** Runs {@link SlackMirror.sync} every `intervalMs` and at once on `wake()`, one pass at a time. */
export class MirrorLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;

  constructor(
    private readonly mirror: SlackMirror,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

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
      .catch((error: unknown) =>
        this.logger.warn({ reason: errorSummary(error) }, 'slack: sync pass failed; retrying'),
      )
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        const again = this.again;
        this.again = false;
        this.schedule(again ? 0 : this.intervalMs);
      });
  }
}
