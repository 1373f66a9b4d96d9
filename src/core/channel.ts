/**
 * The channel contract: what every channel adapter (email, Telegram, Slack, web) gives the core
 * and what the core gives back. Nothing in this file imports a channel library.
 */

/**
 * Channels the core knows, as keys. `api` is a technician writing through the REST API. Another
 * channel (the tests' `test` channel, test/helpers/test-channel.ts) registers its name by adding
 * a key through declaration merging: `declare module '…/core/channel.js' { interface
 * ChannelNames { test: true } }`.
 */
export interface ChannelNames {
  email: true;
  telegram: true;
  slack: true;
  web: true;
  api: true;
}
export type ChannelName = keyof ChannelNames;

/** How a person is addressed on a channel, as keys; extended like {@link ChannelNames}. */
export interface IdentityKinds {
  email: true;
  telegram: true;
  slack: true;
  web: true;
}
/** How a person is addressed on a channel. Email addresses are stored lower-case. */
export type IdentityKind = keyof IdentityKinds;

export interface SenderIdentity {
  kind: IdentityKind;
  /** Email address, Telegram user id, Slack user id, web login. */
  address: string;
  displayName?: string;
  /** BCP 47 language hint from the channel (Telegram `language_code`), used for unknown senders. */
  language?: string;
}

export interface InboundAttachment {
  filename: string;
  contentType: string;
  /** Size in bytes of the original part, even when its content was not kept. */
  size: number;
  /** Absent when the part was over the size cap; `omittedReason` then says why. */
  content?: Uint8Array;
  omittedReason?: string;
  /** For inline images referenced from HTML (`cid:`). */
  contentId?: string;
  inline?: boolean;
}

/**
 * What a message says about the conversation it belongs to. Each field is a hint; the core
 * decides, and only attaches a message to a ticket whose customer owns the sender identity.
 */
export interface ThreadReferences {
  /** Our HMAC reply token found in the message (email: in the address or Message-ID replied to). */
  replyTokens?: string[];
  /** External ids this message replies to (email: In-Reply-To then References, newest first;
   * Telegram: the `chat:message` id of the message replied to). */
  inReplyTo?: string[];
  /** Ticket number found in a subject tag like `[#1042]`. */
  ticketNumber?: number;
  /** Chat-like channels: the conversation the message was written in (Telegram chat id). When
   * set and nothing else matches, the customer's only open ticket in that conversation is used. */
  conversationId?: string;
  /** `/new`: always open a new ticket. */
  forceNew?: boolean;
}

/**
 * Kinds of machine-generated mail or messages that must never get an automatic answer. `alert` is
 * a machine's own notice (a NAS, a backup job, a monitoring box): from a known customer it opens a
 * ticket marked automatic; the other kinds never open one.
 */
export type AutomatedKind = 'auto_reply' | 'bounce' | 'feedback_report' | 'list' | 'alert' | 'other';

export interface RawInput {
  /** e.g. `message/rfc822` or `application/json`. */
  contentType: string;
  data: Uint8Array | string;
  /** Bytes of the whole input when `data` is only its start (a size cap); unset when whole. */
  originalSize?: number;
}

/** One inbound message, normalised by a channel adapter. */
export interface InboundMessage {
  channel: ChannelName;
  /** Unique within the channel (email: Message-ID; Telegram: `chatId:messageId`). Ingesting the
   * same (channel, externalId) twice stores one message and sends nothing twice. */
  externalId: string;
  /**
   * Email: SHA-256 of the mail without its transport headers. A mail whose externalId is already
   * stored is a duplicate only when this matches too (senders reuse Message-IDs).
   */
  contentHash?: string;
  sender: SenderIdentity;
  /**
   * Email: the trusted mailbox provider's DMARC verdict on the From address (RFC 8601). `fail`
   * never threads into a customer's ticket unless a reply token proves it; `none` threads but is
   * shown as "sender not verified". Absent on channels that authenticate their users.
   */
  senderVerification?: 'pass' | 'fail' | 'none' | 'reply_token';
  subject?: string;
  /** The customer's own words: quoted history and signatures removed. */
  newText: string;
  /** The whole text as received. */
  fullText: string;
  /** Sanitised HTML body, when the message had one. */
  html?: string;
  attachments: InboundAttachment[];
  thread: ThreadReferences;
  receivedAt: Date;
  /**
   * When the message reached our side, by a clock we trust: the IMAP internal date, Telegram's
   * message date, Slack's event ts. The T2 first-contact clock starts here, not when it was
   * processed; absent = when it was processed.
   */
  arrivedAt?: Date;
  raw: RawInput;
  /** Set when the message is machine-generated (RFC 3834 / RFC 3464): it never gets an automatic
   * answer and never opens a ticket on its own. */
  automated?: { kind: AutomatedKind; reason: string };
  /** For a bounce: the external ids (our Message-IDs) of the messages that failed. */
  bouncedExternalIds?: string[];
  /** For a bounce: whom it concerns. A delivery is marked failed only when its recipient's domain
   * is among `recipientDomains` or the bounce carries a genuine reply token of its ticket. */
  bounceEvidence?: { recipientDomains: string[]; replyTokens: string[] };
  /** Set when nothing automatic may answer this message (e.g. old mail found at a mailbox's first
   * start): it is stored and threaded, but no acknowledgement or notice is sent. The reason. */
  noAutomaticAnswer?: string;
  /** An edit of an earlier message with this external id (Telegram edited messages). */
  editOf?: string;
  /**
   * Messages sent together as one (a Telegram album: `chatId:media_group_id`). The first one
   * stored is the message; later ones from the same sender add their text and files to it and
   * never ask or answer anything of their own. See docs/telegram-albums.md.
   */
  groupKey?: string;
}

export type IngestOutcome = (
  | { status: 'duplicate'; messageId: string }
  | { status: 'new_ticket'; messageId: string; ticketId: string; ticketNumber: number }
  | { status: 'threaded'; messageId: string; ticketId: string; ticketNumber: number }
  | { status: 'unmatched'; messageId: string; reason: string }
  | { status: 'awaiting_choice'; messageId: string; ticketNumbers: number[] }
  | { status: 'automated'; messageId: string; ticketId?: string }
  | { status: 'edit'; messageId: string; ticketId?: string }
  /** A later item of an album, added to the message of its first item (`albumMessageId`). */
  | { status: 'album_part'; messageId: string; albumMessageId: string; ticketId?: string }
) & {
  /**
   * The input carried a remote tool's credentials (T8): the store holds only a placeholder and
   * the channel must keep no copy either (the email channel expunges the mail from the mailbox).
   * Also set on a `duplicate` of such an input, so a re-read after a crash still removes it.
   */
  heldCredentials?: true;
};

/** A button on chat channels (Telegram inline keyboard, Slack block button). */
export interface OutboundButton {
  label: string;
  /** Opaque callback data, at most 64 bytes (Telegram's limit). */
  data: string;
}

/**
 * A file sent with an outbound message (a technician's reply with files). It is stored as an
 * attachment of the outbound message; the stored payload names it by `id` and the delivery worker
 * reads `content` from the store before calling the adapter, so a retry after a restart sends it.
 */
export interface OutboundAttachment {
  /** The `attachments` row id; absent for a small file the core generated (`contentBase64`). */
  id?: string;
  filename: string;
  contentType: string;
  /** Bytes. */
  size?: number;
  /**
   * A small file the core generated (the monthly statement's CSV, #24), base64: it travels in the
   * stored payload itself (keep it under 1 MB).
   */
  contentBase64?: string;
  /** Filled by the delivery worker; absent in the stored payload. */
  content?: Uint8Array;
}

/**
 * What one outbound message of a channel may carry as files (bytes). Files over a limit are left
 * out when the message is queued (its text still goes) and the technicians are told which.
 */
export interface AttachmentLimits {
  /** Largest single file. */
  maxFileBytes: number;
  /** All files of one message together (email: the mail's size after base64). */
  maxTotalBytes?: number;
}

/**
 * One outbound message as a channel must send it. The core has already rendered the text in the
 * recipient's language and stored it; the adapter only serialises it for its world.
 */
export interface OutboundMessage {
  /** Delivery id; the same delivery may be attempted more than once. Adapters that can
   * de-duplicate on their side use it. */
  deliveryId: string;
  /**
   * An earlier attempt's lease ran out mid-send, so it may have arrived. Email sends again with
   * the same Message-ID (receivers de-duplicate); a chat adapter checks what it can first.
   */
  maybeSent?: boolean;
  channel: ChannelName;
  recipient: { kind: IdentityKind; address: string; displayName?: string };
  /** Machine-generated (acknowledgement, notice): email adds `Auto-Submitted: auto-replied`. */
  automatic: boolean;
  ticket?: { number: number; subject: string };
  /** Email subject, already including the `[#1042]` tag. */
  subject?: string;
  text: string;
  /** Simple HTML (p, br, b, i, a, ul, li) for channels that render it. */
  html?: string;
  buttons?: OutboundButton[][];
  /** Files to send with the text (email: MIME attachments; chats: one file message each). */
  attachments?: OutboundAttachment[];
  /**
   * An iCalendar invitation or cancellation (RFC 5546) for email: sent as a `text/calendar;
   * method=…` part, so mail clients offer to add, update or remove the event (#23).
   */
  calendar?: { method: 'REQUEST' | 'CANCEL'; content: string };
  /**
   * Chat channels: replace the already delivered message with this external id (a technician
   * edited their reply) instead of sending a new one. Channels that cannot edit throw a permanent
   * DeliveryError.
   */
  editOf?: string;
  threading: {
    /** Email: the Message-ID this one must carry, generated before sending so it is stored. */
    messageId?: string;
    /** Email: In-Reply-To / References. Telegram: `chatId:messageId` to reply to. */
    inReplyTo?: string;
    references?: string[];
    replyToken?: string;
    /** Chat channels: where to post (Telegram chat id). */
    conversationId?: string;
  };
}

export interface SendResult {
  /** The channel's id of what was sent (email Message-ID; Telegram `chatId:messageId`; when a
   * text was split, the first part's id). Later replies to it thread onto the same ticket. */
  externalId: string;
  /** Further parts' ids when the channel split the message. */
  extraExternalIds?: string[];
}

/** What the core offers a running adapter. */
export interface ChannelContext {
  ingest(message: InboundMessage): Promise<IngestOutcome>;
  /** Keep the raw input of something that could not be parsed or ingested, with the reason. */
  recordFailedInput(input: {
    channel: ChannelName;
    externalId?: string;
    raw: RawInput;
    error: string;
  }): Promise<void>;
  /** Tell the technicians something about an input (a mail cut at a size cap). */
  alertStaff?(alert: { kind: string; text: string; data?: Record<string, unknown> }): Promise<void>;
  /** A recipient cannot be reached any more (Telegram 403): mark it and tell the technicians. */
  markUnreachable(identity: { kind: IdentityKind; address: string }, reason: string): Promise<void>;
  /** A channel's resume point (IMAP UIDVALIDITY + last UID, Telegram update offset). Save it only
   * after the messages before it were ingested, so a crash re-reads rather than skips. */
  loadCheckpoint<T>(key: string): Promise<T | undefined>;
  saveCheckpoint(key: string, value: unknown): Promise<void>;
  /** A Telegram group migrated to a supergroup: follow it. */
  renameConversation?(kind: IdentityKind, from: string, to: string): Promise<void>;
}

/** The one interface every channel implements. */
export interface ChannelAdapter {
  readonly name: ChannelName;
  /** Connect and begin receiving; resolve once receiving has started. */
  start(context: ChannelContext): Promise<void>;
  /** Stop receiving, finish in-flight work, close connections. */
  stop(): Promise<void>;
  /** Send one message. Throw `DeliveryError` to say whether a retry can help. */
  send(message: OutboundMessage): Promise<SendResult>;
  /** Files one outbound message may carry; absent = the channel sends no files. */
  readonly attachmentLimits?: AttachmentLimits;
  /**
   * Work the adapter does besides sends and receiving (Slack's thread mirror) failing now, or
   * undefined while it works. `/healthz` reports it with the channel.
   */
  backgroundFailure?(): BackgroundFailure | undefined;
}

/** A channel's own background work failing: since when, how many attempts in a row, the last reason. */
export interface BackgroundFailure {
  since: Date;
  attempts: number;
  reason: string;
}
