/**
 * Every value a status-like column may hold, as unions. The database holds the same lists in
 * check constraints (src/db/schema.ts, `*_known`), so a value the code writes that is not here
 * fails at once instead of being stored. The core's rules over them live in src/core/lifecycle.ts
 * (tickets) and src/core/outbox/status.ts (deliveries).
 */

/** Ticket statuses, in lifecycle order (PRODUCT.md, "Ticket lifecycle"). */
export const TICKET_STATUSES = [
  'new',
  'open',
  'waiting_customer',
  'scheduled',
  'in_progress',
  'resolved',
  'closed',
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** A delivery's life: see src/core/outbox/status.ts and docs/outbox.md. */
export const DELIVERY_STATUSES = [
  'queued',
  'sending',
  'retrying',
  'sent',
  'failed',
  'suppressed',
  'cancelled',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Not finished: a worker may still claim these. */
export const PENDING_DELIVERY_STATUSES: readonly DeliveryStatus[] = ['queued', 'retrying', 'sending'];

/** SQL list of the pending delivery statuses, for `status in (...)`. */
export const PENDING_DELIVERY_SQL = PENDING_DELIVERY_STATUSES.map((s) => `'${s}'`).join(', ');

/** A customer: `pending` until activated (terms accepted), `active`, or `suspended` by staff. */
export const CUSTOMER_STATUSES = ['pending', 'active', 'suspended'] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

/** A Slack thread reply on its way to the customer (held for the relay delay, then queued). */
export const SLACK_RELAY_STATUSES = ['held', 'cancelled', 'queued', 'done'] as const;
export type SlackRelayStatus = (typeof SLACK_RELAY_STATUSES)[number];
