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
    maxRawInputBytes: options.maxRawInputBytes ?? 10 * 1024 * 1024,
    parseTimeoutMs: 20_000,
  };
}
