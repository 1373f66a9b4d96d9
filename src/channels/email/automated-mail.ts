/**
 * Recognises machine-generated mail (RFC 3834 auto-replies, RFC 3464 delivery status
 * notifications, RFC 5965 abuse reports, mailing lists) so that it never gets an automatic answer
 * and never opens a ticket on its own; and finds which of our messages a bounce is about.
 */
import type { Attachment, ParsedMail } from 'mailparser';
import type { AutomatedKind } from '../../core/channel.js';
import { normaliseMessageId, rawHeaderValues } from './mail-headers.js';

/** Why a mail was recognised as machine-generated. */
export interface AutomatedMailVerdict {
  kind: AutomatedKind;
  /** A short English explanation for logs and the technicians, e.g. `Auto-Submitted: auto-replied`. */
  reason: string;
}

/**
 * Subjects that delivery systems use for bounces and delay notices. Short words ("Undeliverable",
 * "Mancato recapito") count only as a prefix with a colon, so that a customer writing about their
 * own undelivered mail ("Mancato recapito delle email") still opens a ticket.
 */
const BOUNCE_SUBJECT = new RegExp(
  [
    '^undelivered mail returned to sender',
    '^delivery status notification\\s*[(:]',
    '^mail delivery failed(\\s*:|\\s*$)',
    '^returned mail\\s*:',
    '^(undeliverable|undelivered|non recapitabile|impossibile recapitare|mancato recapito|unzustellbar|nicht zustellbar|non remis|no se puede entregar)\\s*:',
    '^(undeliverable (mail|message)|failure notice|delivery failure|mail could not be delivered|message delivery has failed)\\s*$',
    '^mail system error - returned mail',
    '^delivery notification: delivery has failed',
    '^delayed mail \\(still being retried\\)',
    '^warning: could not send message',
  ].join('|'),
  'i',
);

/** Subjects of out-of-office and other auto-replies (Outlook's prefixes, common manual ones). */
const AUTO_REPLY_SUBJECT =
  /^(automatic reply|auto(matic)?[- ]?reply|auto(matic)? response|risposta automatica|automatische antwort|réponse automatique|respuesta automática|resposta automática|autosvar|abwesenheitsnotiz)\s*[:-]?/i;
/**
 * "Out of Office", "Fuori sede" and kin only as the whole subject or followed by when ("Fuori sede
 * fino al 20", "Out of Office: <subject>"), never as the start of a sentence ("Fuori sede la VPN…").
 */
const OUT_OF_OFFICE_SUBJECT =
  /^(out of (the )?office(\s*$|\s*[:\-–(]|\s+(until|from|till|returning|reply|autoreply))|(fuori sede|fuori ufficio|in ferie|assente|abwesend|absent)(\s*$|\s*\(|\s+(fino|dal|dall'|until|bis|jusqu)))/i;

/** Local parts of delivery-system senders. */
const DELIVERY_SYSTEM_LOCAL_PART = /^(mailer-daemon|mailerdaemon|mail-daemon|postmaster)$/i;
/** Display names of delivery-system senders (Exim, Sendmail, Office 365…). */
const DELIVERY_SYSTEM_NAME =
  /^(mailer-daemon|mail delivery (system|subsystem|service)|postmaster|microsoft outlook)$/i;

function firstHeader(parsed: ParsedMail, name: string): string | undefined {
  return rawHeaderValues(parsed, name)[0];
}

/** The top-level content type and its `report-type`, lower-cased. */
function topLevelContentType(parsed: ParsedMail): { type: string; reportType: string } {
  const header = parsed.headers?.get('content-type');
  if (header && typeof header === 'object' && 'value' in header && typeof header.value === 'string') {
    const params = 'params' in header && header.params ? (header.params as Record<string, string>) : {};
    return { type: header.value.toLowerCase(), reportType: (params['report-type'] ?? '').toLowerCase() };
  }
  const raw = firstHeader(parsed, 'content-type') ?? '';
  return {
    type: (raw.split(';')[0] ?? '').trim().toLowerCase(),
    reportType: (/report-type\s*=\s*"?([\w-]+)/i.exec(raw)?.[1] ?? '').toLowerCase(),
  };
}

/** The local part of an address (`MAILER-DAEMON@host` → `MAILER-DAEMON`); a bare word is its own local part. */
function localPart(address: string): string {
  const bare = address.trim().replace(/^<|>$/g, '');
  const at = bare.lastIndexOf('@');
  return at >= 0 ? bare.slice(0, at) : bare;
}

function deliverySystemSender(parsed: ParsedMail, envelopeFrom: string | undefined): string | undefined {
  for (const entry of parsed.from?.value ?? []) {
    if (entry.address && DELIVERY_SYSTEM_LOCAL_PART.test(localPart(entry.address)))
      return `From: ${entry.address}`;
    if (entry.name && DELIVERY_SYSTEM_NAME.test(entry.name.trim())) return `From: ${entry.name}`;
  }
  for (const name of ['sender', 'return-path']) {
    for (const value of rawHeaderValues(parsed, name)) {
      const address = /<([^>]*)>/.exec(value)?.[1] ?? value;
      if (DELIVERY_SYSTEM_LOCAL_PART.test(localPart(address))) return `${name}: ${value}`;
    }
  }
  if (envelopeFrom && DELIVERY_SYSTEM_LOCAL_PART.test(localPart(envelopeFrom))) {
    return `envelope sender ${envelopeFrom}`;
  }
  return undefined;
}

function isNullReversePath(value: string): boolean {
  return /^<\s*>$/.test(value.trim()) || value.trim() === '';
}

/** Amazon SES bounce/complaint notifications delivered through SNS as a JSON body. */
function sesNotificationKind(parsed: ParsedMail): AutomatedKind | undefined {
  const match = /^\s*\{\s*"notificationType"\s*:\s*"(Bounce|Complaint)"/.exec(parsed.text ?? '');
  if (!match) return undefined;
  return match[1] === 'Complaint' ? 'feedback_report' : 'bounce';
}

/**
 * Whether a parsed mail is machine-generated, and of which kind; undefined for mail a person
 * wrote. Bounce signals are checked first (a bounce often also says `Auto-Submitted`), then
 * auto-reply signals, then mailing-list signals, then a null reverse path.
 *
 * @param parsed the message as mailparser's `simpleParser` returned it
 * @param envelopeFrom the SMTP `MAIL FROM`, when known (`''` or `<>` for the null reverse path)
 */
export function detectAutomatedMail(
  parsed: ParsedMail,
  envelopeFrom?: string,
): AutomatedMailVerdict | undefined {
  const { type, reportType } = topLevelContentType(parsed);
  if (type === 'multipart/report') {
    if (reportType === 'feedback-report')
      return { kind: 'feedback_report', reason: 'multipart/report; feedback-report' };
    if (reportType === 'disposition-notification') {
      return { kind: 'other', reason: 'multipart/report; disposition-notification (read receipt)' };
    }
    return { kind: 'bounce', reason: `multipart/report; ${reportType || 'no report-type'}` };
  }

  const failedRecipients = firstHeader(parsed, 'x-failed-recipients');
  if (failedRecipients !== undefined)
    return { kind: 'bounce', reason: `X-Failed-Recipients: ${failedRecipients}` };

  const subject = (parsed.subject ?? firstHeader(parsed, 'subject') ?? '').trim();
  if (BOUNCE_SUBJECT.test(subject)) return { kind: 'bounce', reason: `bounce subject "${subject}"` };

  const sesKind = sesNotificationKind(parsed);
  if (sesKind) return { kind: sesKind, reason: 'Amazon SES notification' };

  const deliverySystem = deliverySystemSender(parsed, envelopeFrom);
  if (deliverySystem) return { kind: 'bounce', reason: `delivery system sender (${deliverySystem})` };

  const autoSubmitted = firstHeader(parsed, 'auto-submitted');
  if (autoSubmitted !== undefined && !/^no\b/i.test(autoSubmitted)) {
    const kind: AutomatedKind = /^auto-replied\b/i.test(autoSubmitted) ? 'auto_reply' : 'other';
    return { kind, reason: `Auto-Submitted: ${autoSubmitted}` };
  }
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoresponder']) {
    const value = firstHeader(parsed, name);
    if (value !== undefined && !/^(no|false|0)$/i.test(value)) {
      return { kind: 'auto_reply', reason: `${name}: ${value}` };
    }
  }
  // X-Auto-Response-Suppress is not looked at: Outlook and Exchange put it on mail people write
  // by hand, and treating it as automatic would silently stop those customers opening tickets.
  if (AUTO_REPLY_SUBJECT.test(subject) || OUT_OF_OFFICE_SUBJECT.test(subject)) {
    return { kind: 'auto_reply', reason: `auto-reply subject "${subject}"` };
  }

  const precedence = (firstHeader(parsed, 'precedence') ?? '').toLowerCase();
  if (precedence === 'auto_reply') return { kind: 'auto_reply', reason: 'Precedence: auto_reply' };
  if (precedence === 'bulk' || precedence === 'list')
    return { kind: 'list', reason: `Precedence: ${precedence}` };
  if (precedence === 'junk') return { kind: 'other', reason: 'Precedence: junk' };

  for (const name of ['list-id', 'list-unsubscribe', 'list-post']) {
    const value = firstHeader(parsed, name);
    if (value !== undefined) return { kind: 'list', reason: `${name}: ${value}` };
  }

  const returnPath = firstHeader(parsed, 'return-path');
  if (returnPath !== undefined && isNullReversePath(returnPath)) {
    return { kind: 'other', reason: 'null Return-Path <>' };
  }
  if (envelopeFrom !== undefined && isNullReversePath(envelopeFrom)) {
    return { kind: 'other', reason: 'null envelope sender <>' };
  }
  return undefined;
}

/** Message-IDs in a block of header text (folded lines allowed). */
function messageIdsInHeaderText(text: string): string[] {
  const ids: string[] = [];
  for (const match of text.matchAll(/^[ \t]*message-id[ \t]*:[ \t]*(.*(?:\r?\n[ \t]+.*)*)/gim)) {
    const id = normaliseMessageId(match[1]!.replace(/\r?\n[ \t]+/g, ' '));
    if (id) ids.push(id);
  }
  return ids;
}

function headerSection(text: string): string {
  const blank = /\r?\n\r?\n/.exec(text);
  return blank ? text.slice(0, blank.index) : text;
}

const RETURNED_MESSAGE_TYPES = new Set(['message/rfc822', 'text/rfc822-headers', 'message/rfc822-headers']);

function isReturnedMessagePart(attachment: Attachment): boolean {
  return RETURNED_MESSAGE_TYPES.has((attachment.contentType ?? '').toLowerCase());
}

/**
 * The Message-IDs (as `<id@host>`) of the original messages a bounce or report is about: from the
 * headers of attached `message/rfc822` and `text/rfc822-headers` parts first, then from any
 * `Message-ID:` line in the body of the raw message (bounces that paste the returned headers into
 * their text). The bounce's own Message-ID is never included. Never throws.
 */
export function findBouncedMessageIds(parsed: ParsedMail, raw: Buffer | string): string[] {
  const ids: string[] = [];
  try {
    for (const attachment of parsed.attachments ?? []) {
      if (!isReturnedMessagePart(attachment) || !attachment.content) continue;
      const text = Buffer.from(attachment.content).toString('latin1');
      ids.push(...messageIdsInHeaderText(headerSection(text)));
    }
    const rawText = typeof raw === 'string' ? raw : raw.toString('latin1');
    const blank = /\r?\n\r?\n/.exec(rawText);
    if (blank) ids.push(...messageIdsInHeaderText(rawText.slice(blank.index + blank[0].length)));
  } catch {
    // A malformed part must not stop the rest of the ingestion; what was found so far is kept.
  }
  const own = parsed.messageId ? normaliseMessageId(parsed.messageId) : undefined;
  return [...new Set(ids)].filter((id) => id !== own);
}
