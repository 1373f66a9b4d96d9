/**
 * Turns the core's OutboundMessage into nodemailer message options: addresses, threading headers
 * (Message-ID, In-Reply-To, References), the plus-addressed Reply-To that carries the reply token,
 * and the RFC 3834 headers on automatic mail. Pure: it sends nothing.
 */
import type Mail from 'nodemailer/lib/mailer/index.js';
import type { AttachmentLimits, OutboundMessage } from '../../core/channel.js';
import { REPLY_PREFIX } from '../../core/subject-prefixes.js';
import { normaliseMessageId } from './mail-headers.js';

/** Who sends, and for which domain Message-IDs are minted. */
export interface ComposeMailOptions {
  /** The helpdesk mailbox, e.g. `assistenza@negozio.it`. */
  from: string;
  /** Display name for From, e.g. `Assistenza Negozio`. */
  fromName?: string;
  /** Right-hand side of Message-IDs we mint when the core gave none. */
  domain: string;
  /** BCP 47 language of the text, sent as `Content-Language` (the core renders in the recipient's language). */
  language?: string;
}

/** Room kept in a mail for its headers and text when files fill it (bytes). */
const MAIL_HEADROOM_BYTES = 256 * 1024;

/**
 * What one outgoing mail may carry: its files, base64-encoded, within `maxMailBytes`
 * (`MAX_MAIL_MB`, the size of a mail we handle; mail providers refuse from 20–35 MB) less room
 * for the headers and text.
 */
export function mailAttachmentLimits(maxMailBytes: number): AttachmentLimits {
  const maxTotalBytes = Math.max(0, maxMailBytes - MAIL_HEADROOM_BYTES);
  return { maxFileBytes: maxTotalBytes, maxTotalBytes };
}

/** RFC 5322 suggests trimming long References; we keep the thread root and the nine newest. */
const MAX_REFERENCES = 10;

/** Characters allowed in the left part of a Message-ID we mint (a safe subset of dot-atom text). */
function messageIdPart(value: string): string {
  return value.replace(/[^A-Za-z0-9._+-]/g, '');
}

/**
 * A new Message-ID: `<token.random@domain>` when there is a reply token (so a reply that keeps only
 * In-Reply-To still finds its ticket), else `<random@domain>`. Characters that may not appear in a
 * Message-ID are dropped from `token` and `random`.
 */
export function newMessageId(token: string | undefined, domain: string, random: string): string {
  const left = [token, random]
    .map((part) => messageIdPart(part ?? ''))
    .filter((part) => part !== '')
    .join('.');
  return `<${left}@${domain.trim().toLowerCase()}>`;
}

/** `local+token@domain` for `local@domain`; the token is what comes back in the reply's To. */
export function plusAddress(address: string, token: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return address;
  return `${address.slice(0, at)}+${token}${address.slice(at)}`;
}

/** The thread root and the newest ones, when there are more than {@link MAX_REFERENCES}. */
export function trimReferences(references: readonly string[]): string[] {
  if (references.length <= MAX_REFERENCES) return [...references];
  return [references[0]!, ...references.slice(references.length - (MAX_REFERENCES - 1))];
}

function asMessageId(value: string): string {
  return normaliseMessageId(value) ?? `<${value.trim().replace(/^<|>$/g, '')}>`;
}

/** Removes repeated copies of the same `[#N]` tag, keeping the first. */
function withoutDoubledTags(subject: string): string {
  const seen = new Set<string>();
  return subject
    .replace(/\s*\[#\s*(\d+)\]/g, (tag, number: string) => {
      if (seen.has(number)) return '';
      seen.add(number);
      return tag;
    })
    .trim();
}

function subjectOf(message: OutboundMessage): string {
  let subject = message.subject;
  if (subject === undefined && message.ticket) {
    const tag = `[#${message.ticket.number}]`;
    subject = message.ticket.subject.includes(tag)
      ? message.ticket.subject
      : `${tag} ${message.ticket.subject}`;
  }
  subject = withoutDoubledTags(subject ?? '');
  if (message.threading.inReplyTo && !REPLY_PREFIX.test(subject)) subject = `Re: ${subject}`.trim();
  return subject;
}

/**
 * Nodemailer options for one outbound email.
 *
 * - From carries `fromName`; To is the recipient with their display name.
 * - Reply-To is `local+<replyToken>@domain` of the From address when the message has a reply token.
 * - Message-ID is `message.threading.messageId`; when the core gave none, one is derived from the
 *   delivery id, so every retry of a delivery carries the same Message-ID.
 * - In-Reply-To and References come from the threading; References gets In-Reply-To appended when
 *   missing and is trimmed to the first one plus the last nine.
 * - The subject is the core's (it already has the `[#N]` tag; a doubled tag is removed); replies
 *   get `Re: ` unless they already start with a reply prefix.
 * - Automatic mail gets `Auto-Submitted: auto-replied` and `X-Auto-Response-Suppress: All`; a
 *   technician's reply gets neither. Buttons are not rendered: the text already says what to reply.
 */
export function composeMail(message: OutboundMessage, options: ComposeMailOptions): Mail.Options {
  const { threading } = message;
  const headers: Record<string, string> = {};
  if (message.automatic) {
    headers['Auto-Submitted'] = 'auto-replied';
    headers['X-Auto-Response-Suppress'] = 'All';
  }
  if (options.language) headers['Content-Language'] = options.language;

  const inReplyTo = threading.inReplyTo ? asMessageId(threading.inReplyTo) : undefined;
  const references = (threading.references ?? []).map(asMessageId);
  if (inReplyTo && !references.includes(inReplyTo)) references.push(inReplyTo);

  const mail: Mail.Options = {
    from: options.fromName ? { name: options.fromName, address: options.from } : options.from,
    to: message.recipient.displayName
      ? { name: message.recipient.displayName, address: message.recipient.address }
      : message.recipient.address,
    subject: subjectOf(message),
    messageId: threading.messageId
      ? asMessageId(threading.messageId)
      : newMessageId(threading.replyToken, options.domain, message.deliveryId),
    text: message.text,
    headers,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  if (threading.replyToken) mail.replyTo = plusAddress(options.from, threading.replyToken);
  if (inReplyTo) mail.inReplyTo = inReplyTo;
  if (references.length > 0) mail.references = trimReferences(references);
  if (message.html) mail.html = message.html;
  const files = (message.attachments ?? []).filter((file) => file.content);
  if (files.length > 0) {
    mail.attachments = files.map((file) => ({
      filename: file.filename,
      content: Buffer.from(file.content!),
      contentType: file.contentType,
    }));
  }
  // RFC 6047: the invitation as a text/calendar alternative with its METHOD (#23).
  if (message.calendar)
    mail.icalEvent = { method: message.calendar.method, content: message.calendar.content };
  return mail;
}
