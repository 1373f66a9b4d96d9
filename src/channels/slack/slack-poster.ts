/**
 * Every Web API call that posts into Slack goes through here: paced per channel (Slack shows
 * about one message per second per channel and silently hides bursts), and a `429` waits for
 * the `Retry-After` Slack gave before anything else is posted.
 */
import type { WebClient } from '@slack/web-api';

/** Slack's guidance for posting into one channel. */
export const DEFAULT_PACE_MS = 1_000;

export class SlackPoster {
  private readonly nextFree = new Map<string, number>();
  private blockedUntil = 0;

  constructor(
    readonly client: WebClient,
    private readonly paceMs: number = DEFAULT_PACE_MS,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /**
   * Runs `call` (which posts into `channel`) when the channel's pace and any `Retry-After` allow.
   * A rate-limited call is retried once after the wait Slack asked for; other errors are thrown.
   */
  async post<T>(channel: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      const now = Date.now();
      const wait = Math.max(this.nextFree.get(channel) ?? 0, this.blockedUntil) - now;
      if (wait > 0) await this.sleep(wait);
      this.nextFree.set(channel, Date.now() + this.paceMs);
      try {
        return await call();
      } catch (error) {
        const retryAfter = retryAfterSeconds(error);
        if (retryAfter === undefined || attempt >= 3) throw error;
        this.blockedUntil = Date.now() + retryAfter * 1000;
      }
    }
  }
}

/** Seconds Slack asked us to wait, when `error` is a rate-limit error of @slack/web-api. */
export function retryAfterSeconds(error: unknown): number | undefined {
  const e = error as { code?: string; retryAfter?: number };
  return e?.code === 'slack_webapi_rate_limited_error' && typeof e.retryAfter === 'number'
    ? e.retryAfter
    : undefined;
}

/** The error code of a Slack Web API answer (`already_reacted`, `message_not_found`…), if `error` is one. */
export function slackErrorCode(error: unknown): string | undefined {
  const code = (error as { data?: { error?: unknown } } | undefined)?.data?.error;
  return typeof code === 'string' ? code : undefined;
}

/** Answers to `reactions.add` after which the reaction is as good as placed (or can never be). */
const REACTION_SETTLED = new Set([
  'already_reacted',
  'message_not_found',
  'channel_not_found',
  'is_archived',
]);

/**
 * Adds reaction `name` to the message `ts`. `already_reacted` (a second identical add, e.g. after
 * a crash) counts as added; a message or channel that is gone gives `'gone'`. Other errors throw.
 */
export async function addReaction(
  poster: SlackPoster,
  input: { channel: string; ts: string; name: string },
): Promise<'added' | 'gone'> {
  try {
    await poster.post(input.channel, () =>
      poster.client.reactions.add({ channel: input.channel, timestamp: input.ts, name: input.name }),
    );
    return 'added';
  } catch (error) {
    const code = slackErrorCode(error);
    if (!code || !REACTION_SETTLED.has(code)) throw error;
    return code === 'already_reacted' ? 'added' : 'gone';
  }
}
