/**
 * A delivery's life (one outbound message to one recipient on one channel):
 *
 * ```text
 *                  claim (lease)            adapter accepted
 *   queued ──────────────────▶ sending ─────────────────────▶ sent
 *     │                        │  ▲  │
 *     │ suppressed at creation │  │  │ transient error, younger than DELIVERY_MAX_AGE_HOURS
 *     ▼                        │  │  ▼
 *   suppressed                 │  └─ retrying  (next_attempt_at = now + back-off or retry_after)
 *                              │
 *                              ├──▶ failed     (permanent error, or too old to retry, or bounce)
 *                              └──▶ sending    (lease expired: the worker died or hung; "maybe sent")
 *   queued | retrying ─────────────▶ cancelled (nothing left to send it for)
 * ```
 *
 * `next_attempt_at` is the one time a pending row is looked at next: the earliest retry for
 * `queued`/`retrying`, the lease expiry for `sending`. The full reasoning is in docs/outbox.md.
 */
export { DELIVERY_STATUSES, type DeliveryStatus } from '../../db/statuses.js';
