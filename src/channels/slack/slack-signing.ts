/**
 * Slack request signing (https://api.slack.com/authentication/verifying-requests-from-slack):
 * `X-Slack-Signature: v0=HMAC_SHA256(signing secret, "v0:" + timestamp + ":" + raw body)`, and a
 * timestamp within 5 minutes of our clock so a captured request cannot be replayed later.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SlackSignatureError } from '../../core/errors.js';

/** Slack's replay window: requests older (or newer) than this are refused. */
export const SLACK_REPLAY_WINDOW_SECONDS = 300;

export { SlackSignatureError };

/** `v0=<hex>` for `rawBody` sent at `timestamp` (seconds since the epoch). */
export function slackSignature(signingSecret: string, timestamp: string | number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/**
 * Throws SlackSignatureError unless the headers prove the body came from Slack within the
 * replay window of `now` (the injected clock). Compares in constant time.
 */
export function verifySlackSignature(input: {
  signingSecret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: string;
  now: Date;
}): void {
  const { timestamp, signature } = input;
  if (!timestamp || !signature) {
    throw new SlackSignatureError('missing', 'X-Slack-Request-Timestamp or X-Slack-Signature is missing');
  }
  const seconds = Number(timestamp);
  if (!/^\d{1,12}$/.test(timestamp) || !Number.isFinite(seconds)) {
    throw new SlackSignatureError('missing', 'X-Slack-Request-Timestamp is not a number of seconds');
  }
  const skew = Math.abs(input.now.getTime() / 1000 - seconds);
  if (skew > SLACK_REPLAY_WINDOW_SECONDS) {
    throw new SlackSignatureError('stale', `request timestamp is ${Math.round(skew)} s away from our clock`);
  }
  const expected = Buffer.from(slackSignature(input.signingSecret, timestamp, input.rawBody));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new SlackSignatureError('mismatch', 'X-Slack-Signature does not match the body');
  }
}
