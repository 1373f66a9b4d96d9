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

/** A customer: `pending` until activated (terms accepted), `active`, `suspended` by staff, or `rejected` (a registration staff turned down, #25). */
export const CUSTOMER_STATUSES = ['pending', 'active', 'suspended', 'rejected'] as const;

/** Statuses whose customer is treated as unknown: messages kept as unmatched, the portal says so. */
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

/** Statuses whose customer is treated as unknown: messages kept as unmatched, the portal says so. */
export const BLOCKED_CUSTOMER_STATUSES: readonly string[] = ['suspended', 'rejected'];

/** Whether a customer with this status is blocked (suspended, or a rejected registration). */
export const isBlockedCustomer = (status: string): boolean => BLOCKED_CUSTOMER_STATUSES.includes(status);

/** A Slack thread reply on its way to the customer (held for the relay delay, then queued). */
export const SLACK_RELAY_STATUSES = ['held', 'cancelled', 'queued', 'done'] as const;
export type SlackRelayStatus = (typeof SLACK_RELAY_STATUSES)[number];

/** A customer is a person or a company (VAT number). */
export const CUSTOMER_KINDS = ['person', 'company'] as const;
export type CustomerKind = (typeof CUSTOMER_KINDS)[number];

/** A message: from the customer, to the customer, or a technicians' internal note. */
export const MESSAGE_DIRECTIONS = ['inbound', 'outbound', 'note'] as const;
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];

/**
 * What became of an inbound message: on a `ticket`; `unmatched` (unknown sender); `automated`
 * (auto-reply, bounce); `awaiting_choice` (which ticket?); an `edit` of an earlier one; a later
 * `album_part`; `suspicious` (a sender that failed verification, kept for staff).
 */
export const MESSAGE_DISPOSITIONS = [
  'ticket',
  'unmatched',
  'automated',
  'awaiting_choice',
  'edit',
  'album_part',
  'suspicious',
] as const;
export type MessageDisposition = (typeof MESSAGE_DISPOSITIONS)[number];

/** Email: DMARC of the trusted provider (`pass`, `fail`, `none`), or `reply_token` (our token proved it). */
export const SENDER_VERIFICATIONS = ['pass', 'fail', 'none', 'reply_token'] as const;

/** How a technician intervenes. */
export const INTERVENTION_KINDS = ['on_site', 'remote'] as const;

/**
 * Automatic deliveries with budgets of their own (see src/core/outbound.ts): `link` (links asked
 * for from a chat, set-password at registration), `password_reset` (the owner's own "forgot
 * password"), `known_address` ("already registered" notices, which anyone can trigger).
 */
export const DELIVERY_PURPOSES = ['unknown_sender', 'link', 'password_reset', 'known_address'] as const;

/** Purposes counted only against themselves, never against the recipient's acknowledgements. */
export const OWN_BUDGET_PURPOSES = ['link', 'password_reset', 'known_address'] as const;
export type DeliveryPurpose = (typeof DELIVERY_PURPOSES)[number];

/** How logged time was spent (`time_entries.kind`, check `time_entries_kind`). */
export const ENTRY_KINDS = ['remote', 'on_site', 'phone'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

/**
 * The form a kept draft belongs to (`web_drafts.form`, check `web_drafts_form_known`): `portal` (a
 * customer's new ticket or reply), `staff_reply` and `staff_note` (a technician's, #25). A customer's
 * draft is only ever looked up as `portal`, a technician's only as a staff form.
 */
export const DRAFT_FORMS = ['portal', 'staff_reply', 'staff_note'] as const;
export type DraftForm = (typeof DRAFT_FORMS)[number];
