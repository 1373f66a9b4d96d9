/**
 * Recognises machine-generated mail (RFC 3834 auto-replies, RFC 3464 delivery status
 * notifications, RFC 5965 abuse reports, mailing lists) so that it never gets an automatic answer
 * and never opens a ticket on its own; and finds which of our messages a bounce is about.
 */
import type { ParsedMail } from 'mailparser';
import type { AutomatedKind } from '../../core/channel.js';
import { machineAddressKind } from '../../core/machine-address.js';
import { listManagerSignal, type OwnMailIdentity } from './machine-senders.js';
import { rawHeaderValues } from './mail-headers.js';
import { returnedMessageOfOurs } from './returned-mail.js';

export { bounceEvidence, findBouncedMessageIds } from './returned-mail.js';

/** What the detector knows besides the mail itself. */
export interface AutomatedMailContext {
  /** The SMTP `MAIL FROM`, when known (`''` or `<>` for the null reverse path). */
  envelopeFrom?: string;
  /** Our own addresses: a returned message of ours is a bounce. */
  own?: OwnMailIdentity;
  /** The mail came through a list or group that is our own support address: list headers are ours. */
  ownList?: boolean;
  /** A person behind a machine From was found (form mailer, own group): From's machine look is not a signal. */
  personBehindFrom?: boolean;
}

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

function isDeliverySystem(address: string): boolean {
  return machineAddressKind(localPart(address)) === 'delivery_system';
}

function deliverySystemSender(parsed: ParsedMail, envelopeFrom: string | undefined): string | undefined {
  for (const entry of parsed.from?.value ?? []) {
    if (entry.address && isDeliverySystem(entry.address)) return `From: ${entry.address}`;
    if (entry.name && DELIVERY_SYSTEM_NAME.test(entry.name.trim())) return `From: ${entry.name}`;
  }
  for (const name of ['sender', 'return-path']) {
    for (const value of rawHeaderValues(parsed, name)) {
      const address = /<([^>]*)>/.exec(value)?.[1] ?? value;
      if (isDeliverySystem(address)) return `${name}: ${value}`;
    }
  }
  if (envelopeFrom && isDeliverySystem(envelopeFrom)) {
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
 * wrote. Bounce signals are checked first (a bounce often also says `Auto-Submitted`), including
 * a returned message of ours attached whatever the words around it; then auto-reply signals, then
 * list-manager signals (skipped for our own group or list), then machine senders, then a null
 * reverse path. Kind `alert` is a machine's own notice (`Auto-Submitted: auto-generated`, a
 * `noreply@` sender): never answered, but it may open a ticket for a known customer.
 *
 * @param parsed the message as mailparser's `simpleParser` returned it
 * @param context the envelope sender (a string, for short) and our own addresses
 */
export function detectAutomatedMail(
  parsed: ParsedMail,
  context: AutomatedMailContext | string = {},
): AutomatedMailVerdict | undefined {
  const options: AutomatedMailContext = typeof context === 'string' ? { envelopeFrom: context } : context;
  const { envelopeFrom } = options;
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

  const returned = options.own ? returnedMessageOfOurs(parsed, options.own) : undefined;
  if (returned) return { kind: 'bounce', reason: returned };

  const autoSubmitted = firstHeader(parsed, 'auto-submitted');
  if (autoSubmitted !== undefined && /^auto-replied\b/i.test(autoSubmitted))
    return { kind: 'auto_reply', reason: `Auto-Submitted: ${autoSubmitted}` };
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
  if (!options.ownList) {
    const listVerdict = listSignal(parsed, precedence);
    if (listVerdict) return listVerdict;
  }
  if (precedence === 'junk') return { kind: 'other', reason: 'Precedence: junk' };

  if (!options.personBehindFrom) {
    const machine = machineSenderVerdict(parsed);
    if (machine) return machine;
  }
  if (autoSubmitted !== undefined && !/^no\b/i.test(autoSubmitted)) {
    const kind: AutomatedKind = /^auto-generated\b/i.test(autoSubmitted) ? 'alert' : 'other';
    return { kind, reason: `Auto-Submitted: ${autoSubmitted}` };
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

/** `Precedence: bulk/list`, `List-*` headers, list software's own headers, list-manager senders. */
function listSignal(parsed: ParsedMail, precedence: string): AutomatedMailVerdict | undefined {
  if (precedence === 'bulk' || precedence === 'list')
    return { kind: 'list', reason: `Precedence: ${precedence}` };
  for (const name of ['list-id', 'list-unsubscribe', 'list-post']) {
    const value = firstHeader(parsed, name);
    if (value !== undefined) return { kind: 'list', reason: `${name}: ${value}` };
  }
  const manager = listManagerSignal(parsed);
  if (manager) return { kind: 'list', reason: manager };
  return undefined;
}

/** From is a machine's address: a list manager (`owner-…`, `…-request`), a bounce handler, `noreply`. */
function machineSenderVerdict(parsed: ParsedMail): AutomatedMailVerdict | undefined {
  for (const entry of parsed.from?.value ?? []) {
    const kind = entry.address ? machineAddressKind(entry.address) : undefined;
    if (kind === 'list_manager') return { kind: 'list', reason: `list manager sender ${entry.address}` };
    if (kind === 'bounce_handler') return { kind: 'other', reason: `bounce handler sender ${entry.address}` };
    if (kind === 'no_reply') return { kind: 'alert', reason: `no-reply sender ${entry.address}` };
  }
  return undefined;
}
