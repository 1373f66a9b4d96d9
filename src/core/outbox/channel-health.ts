/** How a channel's sends are going, as `/healthz` reports it. */
export type ChannelState = 'up' | 'degraded' | 'down';

/** Consecutive transient failures, with no success between, after which a channel counts as down. */
export const OUTAGE_AFTER_FAILURES = 3;

interface Tracked {
  consecutiveFailures: number;
  downSince?: Date;
  lastError?: string;
}

/**
 * In-process record of each channel's recent send outcomes. A channel is down after
 * {@link OUTAGE_AFTER_FAILURES} transient failures in a row and up again at the next success, so
 * one outage raises one staff alert, not one per queued message. One recipient's bad server can
 * trip it for email; the alert text says what failed.
 */
export class ChannelHealth {
  private readonly channels = new Map<string, Tracked>();
  /** Claims that found an expired lease: an earlier attempt may have been sent. */
  expiredLeases = 0;

  /** Records a transient failure; true when this one starts an outage. */
  failed(channel: string, reason: string, now: Date): boolean {
    const tracked = this.tracked(channel);
    tracked.consecutiveFailures++;
    tracked.lastError = reason;
    if (tracked.downSince || tracked.consecutiveFailures < OUTAGE_AFTER_FAILURES) return false;
    tracked.downSince = now;
    return true;
  }

  /** Records a success; returns when the outage it ends started, if one did. */
  succeeded(channel: string): Date | undefined {
    const tracked = this.tracked(channel);
    const downSince = tracked.downSince;
    tracked.consecutiveFailures = 0;
    tracked.downSince = undefined;
    return downSince;
  }

  /** Down since when (and why), or undefined while the channel is not down. */
  outage(channel: string): { since: Date; lastError?: string } | undefined {
    const tracked = this.channels.get(channel);
    return tracked?.downSince ? { since: tracked.downSince, lastError: tracked.lastError } : undefined;
  }

  private tracked(channel: string): Tracked {
    let tracked = this.channels.get(channel);
    if (!tracked) {
      tracked = { consecutiveFailures: 0 };
      this.channels.set(channel, tracked);
    }
    return tracked;
  }
}
