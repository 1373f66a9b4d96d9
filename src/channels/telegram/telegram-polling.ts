/**
 * Long polling with our own loop, so the Telegram offset only moves past updates the store has
 * committed: getUpdates from the saved offset, each update handled in turn, the next offset saved
 * as a checkpoint, and only then confirmed to Telegram by the next getUpdates.
 */
import { type Bot, BotError, GrammyError } from 'grammy';
import type { ChannelContext } from '../../core/channel.js';
import type { Logger } from '../../logger.js';
import { describeError, retryAfterSeconds } from './telegram-errors.js';
import { apiSignal } from './telegram-files.js';

/** Checkpoint key of the polling offset: `{ offset, savedAt }`. */
export const OFFSET_CHECKPOINT = 'telegram:offset';
/** The updates the bot asks for (group migrations arrive as messages). */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query'] as const;
/** Telegram may restart update ids after a week without updates: an older offset is not used. */
const OFFSET_MAX_AGE_MS = 6 * 24 * 3600_000;

/** Waits `ms`, or less when `signal` aborts; never rejects. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

export interface PollerOptions {
  bot: Bot;
  context: ChannelContext;
  logger: Logger;
  now: () => Date;
  /** Ends the loop (and the held getUpdates) when aborted. */
  signal: AbortSignal;
  pollTimeoutSeconds: number;
  retryBaseMs: number;
  maxRetryMs: number;
}

/**
 * Runs the polling loop until `signal` aborts. `bot.handleUpdate` must throw for an update that
 * is to be retried (the loop then backs off and asks for it again) and resolve for one that is
 * done (handled, or kept as failed input). Any failure (network, 409, 5xx, store down) backs off,
 * honouring Telegram's `retry_after`, and polls again.
 */
export class TelegramPoller {
  private offset = 0;
  private savedOffset = 0;

  constructor(private readonly options: PollerOptions) {}

  /** Loads the saved offset; the returned promise is the loop, ending after `signal` aborts. */
  async start(): Promise<{ loop: Promise<void> }> {
    this.offset = await this.loadOffset();
    this.savedOffset = this.offset;
    return { loop: this.run() };
  }

  private async loadOffset(): Promise<number> {
    const saved = await this.options.context.loadCheckpoint<{ offset?: unknown; savedAt?: unknown } | number>(
      OFFSET_CHECKPOINT,
    );
    if (typeof saved === 'number') return saved;
    if (!saved || typeof saved.offset !== 'number') return 0;
    const age = this.options.now().getTime() - Date.parse(String(saved.savedAt));
    return Number.isFinite(age) && age <= OFFSET_MAX_AGE_MS ? saved.offset : 0;
  }

  private async saveOffset(): Promise<void> {
    if (this.offset === this.savedOffset) return;
    await this.options.context.saveCheckpoint(OFFSET_CHECKPOINT, {
      offset: this.offset,
      savedAt: this.options.now().toISOString(),
    });
    this.savedOffset = this.offset;
  }

  private retryDelay(failures: number, retryAfter?: number): number {
    if (retryAfter !== undefined) return retryAfter * 1000;
    const { retryBaseMs, maxRetryMs } = this.options;
    return Math.min(maxRetryMs, retryBaseMs * 2 ** Math.min(failures - 1, 20));
  }

  private async run(): Promise<void> {
    const { bot, signal, logger } = this.options;
    let failures = 0;
    let webhookDeleted = false;
    while (!signal.aborted) {
      try {
        // One getMe per attempt, not bot.init(): grammY's init retries for ever with up to 20 min
        // between tries, where this loop's own back-off (maxRetryMs) should decide.
        if (!bot.isInited()) bot.botInfo = await bot.api.getMe(apiSignal(signal));
        if (!webhookDeleted) {
          // getUpdates answers 409 while a webhook is set (e.g. after switching from webhook mode).
          await bot.api.deleteWebhook({}, apiSignal(signal));
          webhookDeleted = true;
        }
        await this.saveOffset();
        const updates = await bot.api.getUpdates(
          {
            offset: this.offset,
            timeout: this.options.pollTimeoutSeconds,
            allowed_updates: [...ALLOWED_UPDATES],
          },
          apiSignal(signal),
        );
        for (const update of updates) {
          if (signal.aborted) break;
          if (update.update_id < this.offset) continue;
          await bot.handleUpdate(update);
          this.offset = update.update_id + 1;
          await this.saveOffset();
        }
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        failures += 1;
        const cause = error instanceof BotError ? error.error : error;
        const delay = this.retryDelay(failures, retryAfterSeconds(cause));
        const conflict = cause instanceof GrammyError && cause.error_code === 409;
        logger[conflict ? 'error' : 'warn'](
          { reason: describeError(cause), retryInMs: delay },
          conflict
            ? 'telegram: another client is polling, or a webhook is set, with this bot token'
            : 'telegram: polling paused',
        );
        await sleep(delay, signal);
      }
    }
  }
}
