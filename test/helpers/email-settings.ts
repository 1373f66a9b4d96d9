import type { EmailSettings } from '../../src/config.js';
import { DEFAULT_DOVECOT_USER } from './dovecot.js';

/**
 * Email channel settings for a test Dovecot on loopback (plain IMAP, the default account) and an
 * SMTP server; without one, SMTP points at a closed port (tests that never send).
 */
export function emailSettingsFor(
  imap: { host: string; port: number },
  options: {
    smtp?: { host: string; port: number };
    maxAttachmentBytes?: number;
    maxMailBytes?: number;
    /** `null`: the default, the mailbox's first start; unset: everything (the epoch). */
    importSince?: Date | null;
    ackMaxAgeHours?: number;
    ownLists?: string[];
    trustedAuthservIds?: string[];
    maxRawInputBytes?: number;
  } = {},
): EmailSettings {
  return {
    imap: {
      host: imap.host,
      port: imap.port,
      secure: false,
      user: DEFAULT_DOVECOT_USER.user,
      password: DEFAULT_DOVECOT_USER.password,
      mailbox: 'INBOX',
    },
    smtp: { host: options.smtp?.host ?? '127.0.0.1', port: options.smtp?.port ?? 9, secure: false },
    from: DEFAULT_DOVECOT_USER.user,
    fromName: 'Assistenza Test',
    maxAttachmentBytes: options.maxAttachmentBytes ?? 10 * 1024 * 1024,
    maxMailBytes: options.maxMailBytes ?? 25 * 1024 * 1024,
    // Tests put mail in the mailbox before the channel starts: import all of it (IMAP_IMPORT_SINCE).
    importSince: options.importSince === undefined ? new Date(0) : (options.importSince ?? undefined),
    ...(options.ackMaxAgeHours === undefined ? {} : { ackMaxAgeHours: options.ackMaxAgeHours }),
    ...(options.ownLists === undefined ? {} : { ownLists: options.ownLists }),
    trustedAuthservIds: options.trustedAuthservIds,
    maxRawInputBytes: options.maxRawInputBytes ?? 10 * 1024 * 1024,
    parseTimeoutMs: 20_000,
  };
}
