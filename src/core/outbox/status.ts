import { DELIVERY_STATUSES, type DeliveryStatus, PENDING_DELIVERY_STATUSES } from '../../db/statuses.js';

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

/** Not finished: a worker may still claim these. */
export const PENDING_STATUSES = PENDING_DELIVERY_STATUSES;
/** Finished for good; nothing changes them again except a bounce (sent → failed). */
export const FINAL_STATUSES: readonly DeliveryStatus[] = ['sent', 'failed', 'suppressed', 'cancelled'];

export function isDeliveryStatus(value: string): value is DeliveryStatus {
  return (DELIVERY_STATUSES as readonly string[]).includes(value);
}
