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
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { TicketBill } from './exported-bill.js';
import {
  CUSTOMER_KINDS,
  CUSTOMER_STATUSES,
  type CustomerKind,
  type CustomerStatus,
  DELIVERY_PURPOSES,
  type DeliveryPurpose,
  type DeliveryStatus,
  DRAFT_FORMS,
  type DraftForm,
  INTERVENTION_KINDS,
  MESSAGE_DIRECTIONS,
  MESSAGE_DISPOSITIONS,
  type MessageDirection,
  type MessageDisposition,
  SENDER_VERIFICATIONS,
  SLACK_RELAY_STATUSES,
  type SlackRelayStatus,
  TICKET_STATUSES,
  type TicketStatus,
} from './statuses.js';

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

/** A check constraint `name`: `column` holds one of `values` (or null). See src/db/statuses.ts. */
function known(name: string, column: string, values: readonly string[]) {
  return check(name, sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(', ')})`));
}

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

export const customers = pgTable(
  'customers',
  {
    id: id(),
    kind: text('kind').$type<CustomerKind>().notNull().default('person'),
    name: text('name').notNull(),
    vatNumber: text('vat_number'),
    taxCode: text('tax_code'),
    phone: text('phone'),
    status: text('status').$type<CustomerStatus>().notNull().default('pending'),
    locale: text('locale').notNull().default('it'),
    quickAccess: boolean('quick_access').notNull().default(false),
    acceptedTermsVersion: text('accepted_terms_version'),
    hourlyRateCents: integer('hourly_rate_cents'),
    activatedAt: timestamp('activated_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  () => [
    known('customers_kind_known', 'kind', CUSTOMER_KINDS),
    known('customers_status_known', 'status', CUSTOMER_STATUSES),
  ],
);

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
    status: text('status').$type<TicketStatus>().notNull().default('new'),
    originChannel: text('origin_channel').notNull(),
    /** Where the customer wrote from: replies go back there. */
    replyIdentityId: ref('reply_identity_id').references(() => identities.id),
    /** Chat channels: the conversation (Telegram chat id) the ticket lives in. */
    conversationId: text('conversation_id'),
    assignee: text('assignee'),
    interventionKind: text('intervention_kind'),
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
  (t) => [
    // With `id`, also the ticket → customer map the reports read without the rows (#25).
    index('tickets_customer_status').on(t.customerId, t.status, t.id),
    index().on(t.status),
    // The staff reports' scans of a period (#25), read from the index alone: tickets opened per
    // channel, first-contact deadlines met and missed (docs/performance.md).
    index('tickets_created_channel').on(t.createdAt, t.originChannel),
    index('tickets_first_contact_outcome').on(
      t.firstContactDueAt,
      t.firstContactAt,
      t.resolvedAt,
      t.closedAt,
    ),
    known('tickets_status_known', 'status', TICKET_STATUSES),
    known('tickets_intervention_kind_known', 'intervention_kind', INTERVENTION_KINDS),
  ],
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
    direction: text('direction').$type<MessageDirection>().notNull(),
    /** Inbound: one of MESSAGE_DISPOSITIONS (src/db/statuses.ts); outbound and notes: `ticket`. */
    disposition: text('disposition').$type<MessageDisposition>().notNull().default('ticket'),
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
    /**
     * Outbound: the text is one of ours (acknowledgement, reminder, notice, consent request, slot
     * proposal), not a person's; shown in the thread, left out of the staff search (#25).
     */
    botText: boolean('bot_text').notNull().default(false),
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
    known('messages_direction_known', 'direction', MESSAGE_DIRECTIONS),
    known('messages_disposition_known', 'disposition', MESSAGE_DISPOSITIONS),
    known('messages_sender_verification_known', 'sender_verification', SENDER_VERIFICATIONS),
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
    purpose: text('purpose').$type<DeliveryPurpose>(),
    /** The payload the adapter receives (OutboundMessage without deliveryId). */
    payload: jsonb('payload').notNull(),
    /** One of DELIVERY_STATUSES (src/db/statuses.ts); a check constraint holds the list. */
    status: text('status').$type<DeliveryStatus>().notNull().default('queued'),
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
    known('deliveries_purpose_known', 'purpose', DELIVERY_PURPOSES),
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
    status: text('status').$type<SlackRelayStatus>().notNull().default('held'),
    messageId: ref('message_id'),
    deliveryId: ref('delivery_id'),
    /** When the ✅ or ⚠️ receipt was posted in the thread. */
    receiptAt: timestamp('receipt_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('slack_relays_channel_ts').on(t.channelId, t.ts),
    index('slack_relays_pending').on(t.status).where(sql`status in ('held', 'queued')`),
    known('slack_relays_status_known', 'status', SLACK_RELAY_STATUSES),
  ],
);

/** Which Slack message shows which stored message (customer messages mirrored into a thread). */
export const slackPosts = pgTable(
  'slack_posts',
  {
    messageId: ref('message_id')
      .primaryKey()
      .references(() => messages.id),
    channelId: text('channel_id').notNull(),
    ts: text('ts').notNull(),
    createdAt: createdAt(),
    /**
     * The message's files uploaded into the thread so far, while some are still to go (null = all
     * done, or none): an outage in the middle resumes at the next file, before later messages.
     */
    filesUploaded: integer('files_uploaded'),
  },
  (t) => [index('slack_posts_files_pending').on(t.messageId).where(sql`files_uploaded is not null`)],
);

// ---- Remote-access consent (issue 21) ----

/**
 * Evidence of remote-access consent (terms T4, T5, T7): one row per event, never updated or
 * deleted (a trigger refuses it, drizzle/…_consent.sql). A request is the row with `event =
 * 'requested'`; what happened to it (granted, refused, expired, revoked, credentials handed over,
 * session started or ended) is a later row with `request_id` pointing to it.
 */
export const consents = pgTable(
  'consents',
  {
    id: id(),
    /** The request this event belongs to; null on the request itself. */
    requestId: ref('request_id'),
    event: text('event').notNull(),
    ticketId: ref('ticket_id')
      .notNull()
      .references(() => tickets.id),
    customerId: ref('customer_id')
      .notNull()
      .references(() => customers.id),
    /** The technician who asked (and who receives the credentials): their name… */
    technician: text('technician').notNull(),
    /** …and where to reach them privately (`slack:U…`), when known. */
    technicianRef: text('technician_ref'),
    channel: text('channel').notNull(),
    /** Who the request went to / who answered (`kind:address`). */
    identity: text('identity'),
    templateVersion: text('template_version'),
    /** The exact text sent (request) or shown with the event. */
    requestText: text('request_text'),
    /** The stored message carrying the answer, and the customer's exact words (after redaction). */
    answerMessageId: ref('answer_message_id'),
    answerText: text('answer_text'),
    /** How the answer came: `text` (a reply), `button`, `api`. */
    answerVia: text('answer_via'),
    backupConfirmed: boolean('backup_confirmed').notNull().default(false),
    /** The customer's accepted terms version and quick-access choice at that moment. */
    termsVersion: text('terms_version'),
    quickAccess: boolean('quick_access').notNull(),
    /** Requests: when they expire unanswered (CONSENT_TTL_MINUTES). */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    /** Session ends: minutes the session lasted. */
    minutes: integer('minutes'),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index().on(t.ticketId, t.id),
    index().on(t.customerId, t.id),
    index().on(t.requestId),
    check(
      'consents_event_known',
      sql`event in ('requested', 'granted', 'refused', 'expired', 'revoked', 'unclear', 'credentials_provided', 'session_started', 'session_ended')`,
    ),
    check('consents_request_link', sql`(event = 'requested') = (request_id is null)`),
  ],
);

// --- Stored in pieces (issue 17): large raw inputs and attachment contents ---------------------
// A value over STORE_CHUNK_BYTES keeps its first piece in `raw_inputs.data` / `attachments.content`
// and the rest here, in order, each piece written by a statement of its own: the embedded store
// writes on the main thread, so no single statement holds a whole 10 MB value. docs/hostile-mail.md

/** The pieces of a raw input after the first (`raw_inputs.data`), `seq` from 1. */
export const rawInputChunks = pgTable(
  'raw_input_chunks',
  {
    rawInputId: ref('raw_input_id')
      .notNull()
      .references(() => rawInputs.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.rawInputId, t.seq] }), check('raw_input_chunks_seq', sql`${t.seq} >= 1`)],
);

/** The pieces of an attachment's content after the first (`attachments.content`), `seq` from 1. */
export const attachmentChunks = pgTable(
  'attachment_chunks',
  {
    attachmentId: ref('attachment_id')
      .notNull()
      .references(() => attachments.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.attachmentId, t.seq] }),
    check('attachment_chunks_seq', sql`${t.seq} >= 1`),
  ],
);

// ---- Billing (#24): time entries, contracts, prepaid hours, invoicing exports ----

/** A customer's contract terms beyond the hourly rate (which is `customers.hourly_rate_cents`). */
export const billingContracts = pgTable(
  'billing_contracts',
  {
    customerId: ref('customer_id')
      .primaryKey()
      .references(() => customers.id, { onDelete: 'cascade' }),
    /** `none`, or `block`: rounded up to blocks of `rounding_minutes`, per `rounding_scope`. */
    roundingMode: text('rounding_mode').notNull().default('none'),
    roundingMinutes: integer('rounding_minutes'),
    roundingScope: text('rounding_scope').notNull().default('ticket'),
    /** Least billed minutes of a ticket with billable time; 0 = none. */
    minimumMinutes: integer('minimum_minutes').notNull().default(0),
    outOfHoursSurchargePercent: integer('out_of_hours_surcharge_percent').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  () => [
    check('billing_contracts_rounding_mode', sql`rounding_mode in ('none', 'block')`),
    check('billing_contracts_rounding_scope', sql`rounding_scope in ('entry', 'ticket')`),
    check(
      'billing_contracts_rounding_minutes',
      sql`(rounding_mode = 'none') or (rounding_minutes between 1 and 480)`,
    ),
    check('billing_contracts_minimum', sql`minimum_minutes between 0 and 1440`),
    check('billing_contracts_surcharge', sql`out_of_hours_surcharge_percent between 0 and 500`),
  ],
);

/** Prepaid hours ("monte ore"): minutes usable from `valid_from` to `valid_until` (local dates). */
export const prepaidPackages = pgTable(
  'prepaid_packages',
  {
    id: id(),
    customerId: ref('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    minutes: integer('minutes').notNull(),
    validFrom: text('valid_from').notNull(),
    validUntil: text('valid_until').notNull(),
    note: text('note'),
    createdAt: createdAt(),
  },
  (t) => [
    index().on(t.customerId),
    check('prepaid_packages_minutes', sql`minutes > 0`),
    check('prepaid_packages_dates', sql`valid_from <= valid_until`),
  ],
);

/** A ticket's price as invoiced by an export (customer id as a string; amounts in cents inside `bill`). */
export interface ExportedBillLine {
  customerId: string;
  ticketNumber: number;
  bill: TicketBill;
}

/**
 * One export for invoicing: the entries it billed point at it, and `lines` keeps the prices as
 * invoiced (per customer and ticket, the whole bill in cents), so a later rate or contract change
 * never re-prices a billed month.
 */
export const billingExports = pgTable('billing_exports', {
  id: id(),
  month: text('month').notNull(),
  customerId: ref('customer_id').references(() => customers.id),
  actor: text('actor').notNull(),
  lines: jsonb('lines').$type<ExportedBillLine[]>().notNull().default([]),
  createdAt: createdAt(),
});

/**
 * An export's `lines` added up per customer (#25: the staff reports page reads these, not every
 * line). Written only by the trigger `billing_export_sums_fill` (migration 0026) in the statement
 * that inserts or rewrites the export, so always its lines' sums; minutes and cents.
 */
export const billingExportSums = pgTable(
  'billing_export_sums',
  {
    exportId: ref('export_id')
      .notNull()
      .references(() => billingExports.id, { onDelete: 'cascade' }),
    /** The export's month (`YYYY-MM`), copied to read a period without a join. */
    month: text('month').notNull(),
    /** The lines' `customerId`. */
    customerId: ref('customer_id').notNull(),
    rawMinutes: bigint('raw_minutes', { mode: 'number' }).notNull(),
    billedMinutes: bigint('billed_minutes', { mode: 'number' }).notNull(),
    netCents: bigint('net_cents', { mode: 'number' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.exportId, t.customerId] }),
    index('billing_export_sums_month').on(t.month),
  ],
);

/**
 * Work on a ticket. `running`: a timer not stopped yet (no minutes); `unconfirmed`: a timer that
 * stopped itself at the end of the business day, billed only once a technician confirms it.
 * Billed entries (`billed_at` set) cannot change: a trigger refuses updates and deletes.
 */
export const timeEntries = pgTable(
  'time_entries',
  {
    id: id(),
    ticketId: ref('ticket_id')
      .notNull()
      .references(() => tickets.id),
    technician: text('technician').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    minutes: integer('minutes'),
    kind: text('kind').notNull().default('remote'),
    billable: boolean('billable').notNull().default(true),
    note: text('note').notNull().default(''),
    status: text('status').notNull().default('confirmed'),
    /** Where it was logged: api | slack | timer | remote_session. */
    source: text('source').notNull(),
    billedAt: timestamp('billed_at', { withTimezone: true }),
    billingExportId: ref('billing_export_id').references(() => billingExports.id),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index().on(t.ticketId),
    index('time_entries_started').on(t.startedAt),
    // Work not billed yet (the staff reports' open work, #25): a few rows, not every entry of the period.
    index('time_entries_open').on(t.startedAt).where(sql`status = 'confirmed' and billed_at is null`),
    index('time_entries_running').on(t.technician).where(sql`status = 'running'`),
    check('time_entries_kind', sql`kind in ('remote', 'on_site', 'phone')`),
    check('time_entries_status', sql`status in ('running', 'unconfirmed', 'confirmed')`),
    check(
      'time_entries_minutes',
      sql`(status = 'running' and minutes is null) or (status <> 'running' and minutes between 0 and 1440)`,
    ),
    check('time_entries_billed_confirmed', sql`billed_at is null or status = 'confirmed'`),
  ],
);

// --- Web channel (#22): accounts, one-time links, sessions, terms acceptances, erasure requests ---

/** A customer's sign-in to the portal: the login email, the scrypt hash and the lock-out state. */
export const webAccounts = pgTable(
  'web_accounts',
  {
    id: id(),
    customerId: ref('customer_id')
      .notNull()
      .unique()
      .references(() => customers.id, { onDelete: 'cascade' }),
    /** The login, lower-case; the same address as the customer's email identity. */
    email: text('email').notNull(),
    contactName: text('contact_name').notNull(),
    telegramUsername: text('telegram_username'),
    /** `scrypt$N$r$p$salt$hash` (base64url), docs/web-portal.md; null until the set-password link is used. */
    passwordHash: text('password_hash'),
    passwordSetAt: timestamp('password_set_at', { withTimezone: true }),
    /** Null for an account made for a customer staff created (they never saw the form). */
    privacyAcceptedAt: timestamp('privacy_accepted_at', { withTimezone: true }),
    failedSignIns: integer('failed_sign_ins').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('web_accounts_email').on(t.email)],
);

/** Single-use, expiring links sent by mail (set or reset a password); only a hash of the token is kept. */
export const webTokens = pgTable(
  'web_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    accountId: ref('account_id')
      .notNull()
      .references(() => webAccounts.id, { onDelete: 'cascade' }),
    purpose: text('purpose').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  () => [check('web_tokens_purpose_known', sql`purpose in ('set_password', 'reset_password')`)],
);

/** Portal sessions (@fastify/session store): the cookie holds only the signed session id. */
export const webSessions = pgTable(
  'web_sessions',
  {
    sid: text('sid').primaryKey(),
    data: jsonb('data').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index().on(t.expiresAt)],
);

/**
 * A portal post refused because its session had expired, kept for an hour until its author signs in
 * again on the same browser (src/web/kept-drafts.ts). Keyed by the SHA-256 of a random key the
 * browser holds in the `hd_draft` cookie (not the session); `owner_tag` is an HMAC binding that key
 * to the customer who had it, so the text comes back only to them. Files are not kept. Staff replies
 * and notes (#25) are kept the same way under their own cookie, bound to the staff account.
 */
export const webDrafts = pgTable(
  'web_drafts',
  {
    keyHash: text('key_hash').primaryKey(),
    ownerTag: text('owner_tag').notNull(),
    /** The ticket replied to; null: a new ticket. */
    ticketNumber: integer('ticket_number'),
    subject: text('subject'),
    text: text('text').notNull(),
    /** The form's nonce, so a draft sent twice is still stored once. */
    nonce: text('nonce'),
    /** Names of the files chosen with it, which were not kept. */
    filesLeftOut: jsonb('files_left_out').$type<string[]>().notNull().default([]),
    /** Whose form: `portal` (a customer's), `staff_reply` or `staff_note` (a technician's). */
    form: text('form').$type<DraftForm>().notNull().default('portal'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index().on(t.expiresAt), known('web_drafts_form_known', 'form', DRAFT_FORMS)],
);

/** Every acceptance of a terms version (T9): at registration and at sign-in after a new version. */
export const termsAcceptances = pgTable(
  'terms_acceptances',
  {
    id: id(),
    customerId: ref('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    version: text('version').notNull(),
    channel: text('channel').notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.customerId)],
);

/** A customer's request to erase their data (T8): staff confirm it from the dashboard. */
export const erasureRequests = pgTable(
  'erasure_requests',
  {
    id: id(),
    customerId: ref('customer_id')
      .notNull()
      .references(() => customers.id),
    status: text('status').notNull().default('requested'),
    reason: text('reason'),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decidedBy: text('decided_by'),
  },
  (t) => [
    index().on(t.customerId),
    check('erasure_requests_status_known', sql`status in ('requested', 'done', 'refused')`),
  ],
);

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

// --- Settings staff change at run time (#25 item 5) ---

/**
 * Settings an admin changed in the dashboard or through `PUT /api/v1/settings` (business hours,
 * remote tool, default rate, VAT): one row per key, the value as JSON. A key with no row takes its
 * environment value (src/core/settings.ts); every change is also in the audit log.
 */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
// --- end #25 settings ---

// --- Staff dashboard (#25): staff accounts and their one-time links ---

/**
 * A technician's or admin's sign-in to the staff dashboard. `slack_user_id` makes the account a
 * technician on Slack (SLACK_TECHNICIANS stays as a fallback); a disabled account cannot sign in,
 * its sessions stop at the next request and Slack no longer takes it as a technician.
 */
export const staffAccounts = pgTable(
  'staff_accounts',
  {
    id: id(),
    /** The login, lower-case. */
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: text('role').notNull(),
    /** `scrypt$N$r$p$salt$hash` (src/web/passwords.ts); null until the set-password link is used. */
    passwordHash: text('password_hash'),
    passwordSetAt: timestamp('password_set_at', { withTimezone: true }),
    /** The TOTP secret (base32, RFC 6238) once enrolment was confirmed with a code; null: no second factor. */
    totpSecret: text('totp_secret'),
    /** The last TOTP time step accepted (30 s steps since the epoch): a code works once. */
    totpLastStep: bigint('totp_last_step', { mode: 'number' }),
    slackUserId: text('slack_user_id'),
    failedSignIns: integer('failed_sign_ins').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('staff_accounts_email').on(t.email),
    uniqueIndex('staff_accounts_slack_user_id').on(t.slackUserId),
    check('staff_accounts_role_known', sql`${t.role} in ('admin', 'technician')`),
  ],
);

/**
 * Single-use, expiring links of the staff dashboard; only a SHA-256 of the token is kept.
 * `set_password`: an account's password link; `first_admin`: printed in the log at a start with no
 * staff account, it creates the first admin (no account yet, so no `account_id`).
 */
export const staffTokens = pgTable(
  'staff_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    purpose: text('purpose').notNull().default('set_password'),
    accountId: ref('account_id').references(() => staffAccounts.id, { onDelete: 'cascade' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index().on(t.accountId),
    check(
      'staff_tokens_purpose_known',
      sql`(${t.purpose} = 'set_password' and ${t.accountId} is not null) or (${t.purpose} = 'first_admin' and ${t.accountId} is null)`,
    ),
  ],
);
// --- end #25 staff accounts ---
