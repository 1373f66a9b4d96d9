import { oldestDueDeliveryPerChannel } from '../../db/sql/oldest-due-delivery-per-channel.js';
import type { BackgroundFailure } from '../channel.js';
import type { CoreContext } from '../core-context.js';
import { type ChannelHealth, type ChannelState, OUTAGE_AFTER_FAILURES } from './channel-health.js';

/** A due delivery waiting longer than this (ms) makes its channel `degraded`. */
export const DEGRADED_AFTER_MS = 120_000;

export interface ChannelReport {
  state: ChannelState;
  /** Seconds the oldest due delivery has been waiting, when one is. */
  oldestDueSeconds?: number;
  /** Since when the channel is down, and the last error. */
  downSince?: string;
  lastError?: string;
  /** The channel's own background work failing now (Slack's thread mirror), with the last reason. */
  backgroundFailingSince?: string;
  backgroundAttempts?: number;
  backgroundError?: string;
}

/**
 * Per channel: `down` while its sends fail in a row (see {@link ChannelHealth}), `degraded` when
 * a due delivery has waited over {@link DEGRADED_AFTER_MS} or the channel's background work has
 * failed {@link OUTAGE_AFTER_FAILURES} times in a row, else `up`. Age counts from when the
 * delivery became due (its retry time, or its creation).
 */
export async function channelReports(
  ctx: CoreContext,
  health: ChannelHealth,
  channels: readonly string[],
  backgroundFailure: (channel: string) => BackgroundFailure | undefined = () => undefined,
): Promise<Record<string, ChannelReport>> {
  const now = ctx.now();
  const oldest = await oldestDueDeliveryPerChannel(ctx.database.sql, now);
  const reports: Record<string, ChannelReport> = {};
  for (const channel of channels) {
    const since = oldest.get(channel);
    const ageMs = since ? Math.max(0, now.getTime() - since.getTime()) : undefined;
    const outage = health.outage(channel);
    const background = backgroundFailure(channel);
    const late =
      (ageMs !== undefined && ageMs > DEGRADED_AFTER_MS) ||
      (background !== undefined && background.attempts >= OUTAGE_AFTER_FAILURES);
    const report: ChannelReport = { state: outage ? 'down' : late ? 'degraded' : 'up' };
    if (background) {
      report.backgroundFailingSince = background.since.toISOString();
      report.backgroundAttempts = background.attempts;
      report.backgroundError = background.reason;
    }
    if (ageMs !== undefined) report.oldestDueSeconds = Math.round(ageMs / 1000);
    if (outage) {
      report.downSince = outage.since.toISOString();
      report.lastError = outage.lastError;
    }
    reports[channel] = report;
  }
  return reports;
}
