/** How the ImapIngester (imap-ingester.ts) reaches and reads one mailbox: sizes in bytes, times in ms. */
export interface ImapIngesterSettings {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  mailbox: string;
  /** Our own sending address: mail from it (or its +token variants) is our own coming back. */
  ownAddress?: string;
  /** Our support address's own groups or lists (MAIL_OWN_LISTS). */
  ownLists?: string[];
  /** Mail older than this many hours (IMAP internal date) gets no automatic answer; default 24. */
  ackMaxAgeHours?: number;
  /** Mail that reached the mailbox before this is not imported; unset: the mailbox's first start. */
  importSince?: Date;
  /** authserv-ids whose Authentication-Results we trust (MAIL_AUTHSERV_ID). */
  trustedAuthservIds?: readonly string[];
  /** Move processed mail here; unset: flag it \Seen and leave it. */
  processedMailbox?: string;
  maxAttachmentBytes: number;
  /** Mails over this IMAP size are not fetched whole (see oversize-mail.ts). */
  maxMailBytes: number;
  /** The raw source kept of one mail, at most. */
  maxRawInputBytes: number;
  /** Mails fetched per round trip; bounds memory together with `batchBytes`. */
  batchSize?: number;
  /** Raw bytes fetched per round trip, at most (a single larger mail is fetched alone). */
  batchBytes?: number;
  /** Idle this long after the last command before IDLE starts (imapflow's autoIdleDelay). */
  idleDelayMs?: number;
  /** Look for new mail this often even without an IDLE notification. */
  pollIntervalMs?: number;
  /** First reconnect delay; doubles up to a minute. */
  reconnectBaseMs?: number;
  /** Budget of one mail's parse in the worker, in ms (default 20 s); over it the mail is kept raw. */
  parseTimeoutMs?: number;
  /** The parse worker exits after this many idle ms (default 30 s). */
  parseIdleMs?: number;
}
