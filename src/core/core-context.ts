import type { Database, Tx } from '../db/database.js';
import type { Locale } from '../templates/format.js';
import type { OpeningHours } from '../templates/opening-hours.js';
import type { BusinessCalendarSettings } from './business-calendar.js';

/** Settings the core needs; built from the app config, or by tests directly. */
export interface CoreSettings {
  publicUrl: string;
  companyName: string;
  defaultLocale: Locale;
  hourlyRateCents: number;
  vatPercent: number;
  reopenDays: number;
  /** Automatic messages (acknowledgements, notices) per recipient per hour, at most. */
  autoReplyLimitPerHour: number;
  /**
   * Email answers to unknown senders per hour, all addresses together, at most: forged senders
   * must not turn us into a reflector of spam. 0 = never answer them.
   */
  unknownSenderRepliesPerHour: number;
  /** A delivery still failing this long (ms) after it was queued fails for good. */
  deliveryMaxAgeMs: number;
  /** How long (ms) a claimed delivery stays leased to its worker; well above any send timeout. */
  deliveryLeaseMs: number;
  /** First retry delay; doubles at each attempt, capped at one hour. */
  deliveryRetryBaseMs: number;
  /** Opening hours told in acknowledgements (`BUSINESS_HOURS` on the working days; settings.ts). */
  openingHours: OpeningHours;
  /** Domain of our email Message-IDs (the MAIL_FROM domain). */
  messageIdDomain: string;
  /** The remote-control tool customers start by hand (T4, T9): `REMOTE_TOOL_NAME`, `REMOTE_TOOL_URL`. */
  remoteToolName: string;
  remoteToolUrl: string;
  /** An unanswered consent request expires after this many ms (`CONSENT_TTL_MINUTES`). */
  consentTtlMs: number;
  /** ORGANIZER of appointment invitations (MAIL_FROM); default `helpdesk@<messageIdDomain>`. */
  organizerEmail?: string;
}

/** Where jobs go; implemented by JobQueue (pg-boss), passed in so the core has no pg-boss import. */
export interface JobSink {
  enqueueDelivery(tx: Tx, deliveryId: string, startAfter?: Date): Promise<void>;
  /** The delivery's one waiting job runs at `startAfter`: moved there if it exists, else added. */
  enqueueDeliveryAt(tx: Tx, deliveryId: string, startAfter: Date): Promise<void>;
  /**
   * SQL (a data-modifying CTE body) that enqueues a delivery job for each `queued` row of the CTE
   * `source` (columns `id`, `status`): lets the statement that creates a delivery queue its job too.
   */
  deliveryJobInsertSql(source: string): string;
  /** The timer `key`'s job runs at `startAfter` (moved when one waits, else added); inside `tx`. */
  scheduleTimerJob(tx: Tx, key: string, startAfter: Date): Promise<void>;
  /** Called after a commit that enqueued work, so local workers fetch at once. */
  wake(): void;
  /**
   * A timer: a job on queue `name` with `data`, due at `startAfter`, inside `tx` (consent expiry).
   * Absent in sinks that run no timers.
   */
  enqueueTimer?(tx: Tx, name: string, data: Record<string, string>, startAfter: Date): Promise<void>;
}

/** A remote session ended (by the technician, or the customer's stop). Seam for billing (#24). */
export interface RemoteSessionEnded {
  ticketId: string;
  ticketNumber: number;
  technician: string;
  startedAt: Date;
  endedAt: Date;
  /** Whole minutes, rounded up. */
  minutes: number;
  /** `ended` by the technician, or `revoked` by the customer (T5). */
  reason: 'ended' | 'revoked';
}

/** A delivery became sent, or failed for good (after its last attempt, or permanently). */
export interface DeliverySettled {
  deliveryId: string;
  messageId: string;
  status: 'sent' | 'failed';
  reason?: string;
}

/** Everything core services depend on. Time and secrets come in here, never from globals. */
export interface CoreContext {
  database: Database;
  jobs: JobSink;
  settings: CoreSettings;
  /** Secret for HMAC reply tokens. */
  replyTokenSecret: string;
  now: () => Date;
  /** First-contact deadline for a ticket whose clock starts at `start` (2 business days, T2). */
  firstContactDeadline: (start: Date) => Date;
  /**
   * The business calendar (T2/T6) the deadlines and reminders follow; its `extraClosures` change
   * at run time (closures.ts). Optional for contexts built by hand in tests: the default calendar.
   */
  calendar?: BusinessCalendarSettings;
  /** T1 activation timers in clock hours after registration (#23); defaults 24 and 48. */
  activation?: { reminderHours: number; deadlineHours: number };
  /** Slot proposals (#23); defaults 30 minutes of travel, 120 business minutes of notice. */
  slots?: { travelBufferMinutes: number; minNoticeBusinessMinutes: number };
  /**
   * Told after the commit that marks a delivery sent or failed for good (Slack posts its ✅/⚠️
   * receipts). Listeners must not throw and must not block: they only wake their own work.
   */
  onDeliverySettled?: Set<(event: DeliverySettled) => void>;
  /**
   * Where a customer's remote-tool credentials go (never stored, T4/T8); absent: nobody can
   * receive them, and the customer is asked to send them again later.
   */
  credentialHandOver?: import('./consent/credential-vault.js').CredentialHandOver;
  /**
   * Told after the commit that ends a remote session (billing's seam, issue 24: a time entry).
   * Listeners must not throw.
   */
  onRemoteSessionEnded?: Set<(event: RemoteSessionEnded) => void>;
  /**
   * Billing (#24): a timer that must stop itself at `at` (the end of its business day). Set by
   * the app (a pg-boss job); absent, timers stop only by hand.
   */
  scheduleTimerStop?: (tx: Tx, entryId: string, at: Date) => Promise<void>;
  /**
   * Whether the adapter of `channel` runs in this process (a consent request to a channel that
   * does not run is refused at once). Absent: every channel is taken as running.
   */
  channelRunning?: (channel: string) => boolean;
}
