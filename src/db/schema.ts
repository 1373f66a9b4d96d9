import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/**
 * The store. Ids are bigserial, exposed as strings. Money is integer cents. Timestamps are UTC.
 * Migrations in `drizzle/` are generated from this file (`npm run db:generate`) and committed.
 */

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
});
const id = (name = 'id') => bigserial(name, { mode: 'bigint' }).primaryKey();
const ref = (name: string) => bigint(name, { mode: 'bigint' });
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const ticketNumberSeq = pgSequence('ticket_number_seq', { startWith: 1000, minValue: 1 });

/** Key/value settings the instance generates itself (the reply-token secret, the API token). */
export const instanceSettings = pgTable('instance_settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  createdAt: createdAt(),
});

export const termsVersions = pgTable('terms_versions', {
  id: id(),
  version: text('version').notNull().unique(),
  locale: text('locale').notNull().default('it'),
  body: text('body').notNull(),
  publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
});

export const customers = pgTable('customers', {
  id: id(),
  kind: text('kind').notNull().default('person'), // person | company
  name: text('name').notNull(),
  vatNumber: text('vat_number'),
  taxCode: text('tax_code'),
  phone: text('phone'),
  status: text('status').notNull().default('pending'), // pending | active | suspended
  locale: text('locale').notNull().default('it'),
  quickAccess: boolean('quick_access').notNull().default(false),
  acceptedTermsVersion: text('accepted_terms_version'),
  hourlyRateCents: integer('hourly_rate_cents'),
  activatedAt: timestamp('activated_at', { withTimezone: true }),
  createdAt: createdAt(),
});

export const identities = pgTable(
  'identities',
  {
    id: id(),
    customerId: ref('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(), // email | telegram | slack | web
    address: text('address').notNull(),
    displayName: text('display_name'),
    verified: boolean('verified').notNull().default(false),
    unreachableAt: timestamp('unreachable_at', { withTimezone: true }),
    unreachableReason: text('unreachable_reason'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('identities_kind_address').on(t.kind, t.address), index().on(t.customerId)],
);

export const tickets = pgTable(
  'tickets',
  {
    id: id(),
    number: integer('number').notNull().unique().default(sql`nextval('ticket_number_seq')`),
    customerId: ref('customer_id')
      .notNull()
      .references(() => customers.id),
    subject: text('subject').notNull(),
    status: text('status').notNull().default('new'),
    originChannel: text('origin_channel').notNull(),
    /** Where the customer wrote from: replies go back there. */
    replyIdentityId: ref('reply_identity_id').references(() => identities.id),
    /** Chat channels: the conversation (Telegram chat id) the ticket lives in. */
    conversationId: text('conversation_id'),
    assignee: text('assignee'),
    interventionKind: text('intervention_kind'), // on_site | remote
    firstContactDueAt: timestamp('first_contact_due_at', { withTimezone: true }),
    firstContactAt: timestamp('first_contact_at', { withTimezone: true }),
    previousTicketId: ref('previous_ticket_id'),
    /** Opened by a machine's alert (a customer's NAS, backup job, monitoring box), not a person. */
    automatic: boolean('automatic').notNull().default(false),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.customerId, t.status), index().on(t.status)],
);

export const rawInputs = pgTable('raw_inputs', {
  id: id(),
  channel: text('channel').notNull(),
  externalId: text('external_id'),
  contentType: text('content_type').notNull(),
  data: bytea('data').notNull(),
  /** Bytes of the whole input when `data` keeps only its start (over MAX_RAW_INPUT_MB, or a mail
   * over MAX_MAIL_MB of which only the headers and first part were fetched); null: `data` is whole. */
  originalSize: integer('original_size'),
  /** Set when the input could not be parsed or ingested. */
  error: text('error'),
  createdAt: createdAt(),
});

export const messages = pgTable(
  'messages',
  {
    id: id(),
    ticketId: ref('ticket_id').references(() => tickets.id),
    direction: text('direction').notNull(), // inbound | outbound | note
    /** inbound: ticket | unmatched | automated | awaiting_choice | edit | album_part */
    disposition: text('disposition').notNull().default('ticket'),
    dispositionReason: text('disposition_reason'),
    channel: text('channel').notNull(),
    externalId: text('external_id'),
    /** Email: SHA-256 of the mail without transport headers; tells a reused Message-ID from a copy. */
    contentHash: text('content_hash'),
    /** Email: `pass`, `fail`, `none` (DMARC of the trusted provider), or `reply_token` (our token proved it). */
    senderVerification: text('sender_verification'),
    senderKind: text('sender_kind'),
    senderAddress: text('sender_address'),
    senderName: text('sender_name'),
    customerId: ref('customer_id').references(() => customers.id),
    /** Technician name for outbound replies and notes. */
    author: text('author'),
    subject: text('subject'),
    newText: text('new_text').notNull(),
    fullText: text('full_text').notNull(),
    html: text('html'),
    threadRefs: jsonb('thread_refs'),
    editOfMessageId: ref('edit_of_message_id'),
    /** Messages sent together as one (a Telegram album): see InboundMessage.groupKey. */
    groupKey: text('group_key'),
    /** An album item after the first: the message that holds its text and files. Such rows
     * (disposition `album_part`) only keep the item's id and raw input. */
    partOfMessageId: ref('part_of_message_id'),
    rawInputId: ref('raw_input_id').references(() => rawInputs.id),
    receivedAt: timestamp('received_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    // One inbound message per id and content: a copy of a stored mail is a duplicate, another mail
    // under a reused Message-ID is not. Chat messages have no content hash.
    uniqueIndex('messages_inbound_external_id_content')
      .on(t.channel, t.externalId, sql`coalesce(${t.contentHash}, '')`)
      .where(sql`direction = 'inbound'`),
    index().on(t.ticketId, t.id),
    index('messages_unmatched').on(t.id).where(sql`ticket_id is null and direction = 'inbound'`),
    index('messages_group_key').on(t.channel, t.groupKey).where(sql`group_key is not null`),
  ],
);

export const attachments = pgTable(
  'attachments',
  {
    id: id(),
    messageId: ref('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    content: bytea('content'),
    omittedReason: text('omitted_reason'),
    contentId: text('content_id'),
    inline: boolean('inline').notNull().default(false),
  },
  (t) => [index().on(t.messageId)],
);

/** One outbound message's delivery to one recipient on one channel. */
export const deliveries = pgTable(
  'deliveries',
  {
    id: id(),
    messageId: ref('message_id')
      .notNull()
      .references(() => messages.id),
    channel: text('channel').notNull(),
    recipientKind: text('recipient_kind').notNull(),
    recipientAddress: text('recipient_address').notNull(),
    automatic: boolean('automatic').notNull().default(false),
    /** Automatic messages with budgets of their own: `unknown_sender`, `link` (see outbound.ts). */
    purpose: text('purpose'),
    /** The payload the adapter receives (OutboundMessage without deliveryId). */
    payload: jsonb('payload').notNull(),
    /** One of DELIVERY_STATUSES (src/core/outbox/status.ts); a check constraint holds the list. */
    status: text('status').notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    externalId: text('external_id'),
    extraExternalIds: jsonb('extra_external_ids'),
    /** Pending rows: when to look at it next (retry time, or the lease expiry while `sending`). */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index().on(t.channel, t.externalId),
    // Reading a ticket's email thread joins its messages to their deliveries.
    index().on(t.messageId),
    index('deliveries_recipient_recent').on(t.recipientKind, t.recipientAddress, t.createdAt),
    // The global hourly cap on answers to unknown senders counts these.
    index('deliveries_purpose_recent').on(t.purpose, t.createdAt).where(sql`purpose is not null`),
    // The outbox sends each recipient's pending deliveries in creation order, and the sweeper
    // looks for the oldest of each: both read only the (few) pending rows.
    index('deliveries_pending_by_recipient')
      .on(t.channel, t.recipientKind, t.recipientAddress, t.id)
      .where(sql`status in ('queued', 'sending', 'retrying')`),
    check(
      'deliveries_status_known',
      sql`status in ('queued', 'sending', 'retrying', 'sent', 'failed', 'suppressed', 'cancelled')`,
    ),
    // Threading looks up the later parts of split chat messages with `?|`; fastupdate off keeps
    // lookups from scanning a pending list that grows with every delivery.
    index('deliveries_extra_external_ids').using('gin', t.extraExternalIds).with({ fastupdate: false }),
  ],
);

/** Something technicians must see (Slack relays these once it lands). */
export const staffAlerts = pgTable('staff_alerts', {
  id: id(),
  kind: text('kind').notNull(),
  ticketId: ref('ticket_id'),
  text: text('text').notNull(),
  data: jsonb('data'),
  acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
  createdAt: createdAt(),
});

/** Append-only: who did what, when. Never updated or deleted by the application. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: id(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    ticketId: ref('ticket_id'),
    customerId: ref('customer_id'),
    data: jsonb('data'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.ticketId), index('audit_log_actor_action_at').on(t.actor, t.action, t.at)],
);

/** Per-channel resume points (IMAP UIDVALIDITY + last UID, Telegram update offset). */
export const channelCheckpoints = pgTable('channel_checkpoints', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** One-time codes proving ownership of a new identity (Telegram deep links, email links). */
export const linkCodes = pgTable('link_codes', {
  code: text('code').primaryKey(),
  customerId: ref('customer_id')
    .notNull()
    .references(() => customers.id, { onDelete: 'cascade' }),
  kind: text('kind').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
  createdAt: createdAt(),
});

/**
 * Slack: a ticket's thread in the technicians' channel (the card's `ts`). Stored so the link
 * survives restarts and a reinstall of the Slack app (ids of channels and messages do not change).
 */
export const slackThreads = pgTable(
  'slack_threads',
  {
    ticketId: ref('ticket_id')
      .primaryKey()
      .references(() => tickets.id),
    channelId: text('channel_id').notNull(),
    threadTs: text('thread_ts').notNull(),
    /** What the card last showed (status, assignee, deadline): a change means `chat.update`. */
    cardState: text('card_state').notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('slack_threads_channel_ts').on(t.channelId, t.threadTs)],
);

/**
 * Slack deliveries and events already handled, by `event:<event_id>` and `msg:<channel>:<ts>`:
 * Slack re-sends what was not acknowledged in 3 s, also to another instance or after a restart.
 */
export const slackSeenEvents = pgTable('slack_seen_events', {
  key: text('key').primaryKey(),
  createdAt: createdAt(),
});

/** A technician's thread reply: held for the relay delay, then queued to the customer. */
export const slackRelays = pgTable(
  'slack_relays',
  {
    id: id(),
    ticketId: ref('ticket_id')
      .notNull()
      .references(() => tickets.id),
    channelId: text('channel_id').notNull(),
    ts: text('ts').notNull(),
    userId: text('user_id').notNull(),
    author: text('author').notNull(),
    text: text('text').notNull(),
    /** Slack files attached to the reply (id, name, mimetype, size, url_private). */
    files: jsonb('files'),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    status: text('status').notNull().default('held'), // held | cancelled | queued | done
    messageId: ref('message_id'),
    deliveryId: ref('delivery_id'),
    /** When the ✅ or ⚠️ receipt was posted in the thread. */
    receiptAt: timestamp('receipt_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('slack_relays_channel_ts').on(t.channelId, t.ts),
    index('slack_relays_pending').on(t.status).where(sql`status in ('held', 'queued')`),
  ],
);

/** Which Slack message shows which stored message (customer messages mirrored into a thread). */
export const slackPosts = pgTable('slack_posts', {
  messageId: ref('message_id')
    .primaryKey()
    .references(() => messages.id),
  channelId: text('channel_id').notNull(),
  ts: text('ts').notNull(),
  createdAt: createdAt(),
});

// --- Business calendar, first-contact timers, activation timers (#23) ---

/** Days the business is closed beyond public holidays, added by staff at run time (API). */
export const closures = pgTable('closures', {
  /** Local date `YYYY-MM-DD` in TIMEZONE. */
  date: text('date').primaryKey(),
  reason: text('reason'),
  createdBy: text('created_by').notNull(),
  createdAt: createdAt(),
});

/**
 * A ticket's T2 first-contact clock: when it started (the later of the message's arrival and the
 * account's activation), so a closure added later can move the deadline, and when it was breached.
 */
export const firstContactClocks = pgTable('first_contact_clocks', {
  ticketId: ref('ticket_id')
    .primaryKey()
    .references(() => tickets.id, { onDelete: 'cascade' }),
  clockFrom: timestamp('clock_from', { withTimezone: true }).notNull(),
  breachedAt: timestamp('breached_at', { withTimezone: true }),
});

/**
 * Reminders and deadlines (first contact, activation). One row per timer key; the pg-boss job only
 * wakes it. `fired_at` is set in the transaction that does the timer's work, so it fires once.
 */
export const timers = pgTable(
  'timers',
  {
    key: text('key').primaryKey(),
    kind: text('kind').notNull(),
    ticketId: ref('ticket_id').references(() => tickets.id, { onDelete: 'cascade' }),
    customerId: ref('customer_id').references(() => customers.id, { onDelete: 'cascade' }),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    firedAt: timestamp('fired_at', { withTimezone: true }),
    /** What firing did: `done`, or why nothing was needed (`met`, `closed`, `active`, …). */
    outcome: text('outcome'),
  },
  (t) => [
    index('timers_due').on(t.dueAt).where(sql`fired_at is null`),
    check(
      'timers_kind',
      sql`${t.kind} in ('first_contact.reminder_day', 'first_contact.reminder_hours', 'first_contact.breach', 'activation.reminder', 'activation.deadline', 'appointment.reminder_day', 'appointment.reminder_hour')`,
    ),
  ],
);

/** A set of appointment slots proposed to a ticket's customer (#23 item 4). */
export const slotOffers = pgTable(
  'slot_offers',
  {
    id: id(),
    ticketId: ref('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    technician: text('technician').notNull(),
    kind: text('kind').notNull(), // remote | onsite
    durationMinutes: integer('duration_minutes').notNull(),
    status: text('status').notNull().default('open'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index().on(t.ticketId),
    check('slot_offers_kind', sql`${t.kind} in ('remote', 'onsite')`),
    check('slot_offers_status', sql`${t.status} in ('open', 'booked', 'declined', 'expired', 'superseded')`),
  ],
);

/** The numbered slots of an offer. */
export const offeredSlots = pgTable(
  'offered_slots',
  {
    id: id(),
    offerId: ref('offer_id')
      .notNull()
      .references(() => slotOffers.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    startAt: timestamp('start_at', { withTimezone: true }).notNull(),
    endAt: timestamp('end_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('offered_slots_offer_number').on(t.offerId, t.number)],
);

/**
 * A booked intervention. Two bookings of one technician's start are refused by the store (the
 * partial unique index), not by a check in memory: one wins, the other gets fresh proposals.
 */
export const appointments = pgTable(
  'appointments',
  {
    id: id(),
    ticketId: ref('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    offeredSlotId: ref('offered_slot_id').references(() => offeredSlots.id),
    technician: text('technician').notNull(),
    kind: text('kind').notNull(),
    startAt: timestamp('start_at', { withTimezone: true }).notNull(),
    endAt: timestamp('end_at', { withTimezone: true }).notNull(),
    status: text('status').notNull().default('booked'),
    /** iCalendar UID, kept across reschedules; SEQUENCE rises with each change. */
    uid: text('uid').notNull().unique(),
    sequence: integer('sequence').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('appointments_technician_start').on(t.technician, t.startAt).where(sql`status = 'booked'`),
    index().on(t.startAt),
    check('appointments_status', sql`${t.status} in ('booked', 'cancelled')`),
  ],
);

/** A technician's private ICS feed (#23 item 5): only a SHA-256 of the token is stored. */
export const calendarFeeds = pgTable('calendar_feeds', {
  technician: text('technician').primaryKey(),
  tokenHash: text('token_hash').notNull().unique(),
  createdAt: createdAt(),
});
// --- end #23 ---
