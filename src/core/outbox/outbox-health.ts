import { oldestDueDeliveryPerChannel } from '../../db/sql/oldest-due-delivery-per-channel.js';
import type { CoreContext } from '../core-context.js';
import type { ChannelHealth, ChannelState } from './channel-health.js';

/** A due delivery waiting longer than this (ms) makes its channel `degraded`. */
export const DEGRADED_AFTER_MS = 120_000;

export interface ChannelReport {
  state: ChannelState;
  /** Seconds the oldest due delivery has been waiting, when one is. */
  oldestDueSeconds?: number;
  /** Since when the channel is down, and the last error. */
  downSince?: string;
  lastError?: string;
}

/**
 * Per channel: `down` while its sends fail in a row (see {@link ChannelHealth}), `degraded` when
 * a due delivery has waited over {@link DEGRADED_AFTER_MS}, else `up`. Age counts from when the
 * delivery became due (its retry time, or its creation).
 */
export async function channelReports(
  ctx: CoreContext,
  health: ChannelHealth,
  channels: readonly string[],
): Promise<Record<string, ChannelReport>> {
  const now = ctx.now();
  const oldest = await oldestDueDeliveryPerChannel(ctx.database.sql, now);
  const reports: Record<string, ChannelReport> = {};
  for (const channel of channels) {
    const since = oldest.get(channel);
    const ageMs = since ? Math.max(0, now.getTime() - since.getTime()) : undefined;
    const outage = health.outage(channel);
    const report: ChannelReport = {
      state: outage ? 'down' : ageMs !== undefined && ageMs > DEGRADED_AFTER_MS ? 'degraded' : 'up',
    };
    if (ageMs !== undefined) report.oldestDueSeconds = Math.round(ageMs / 1000);
    if (outage) {
      report.downSince = outage.since.toISOString();
      report.lastError = outage.lastError;
    }
    reports[channel] = report;
  }
  return reports;
}
