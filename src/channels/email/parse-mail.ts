/**
 * Turns one raw RFC 5322 message into the core's normalised InboundMessage: sender, texts
 * (full and new), sanitised HTML, size-capped attachments, threading hints, and whether it is
 * machine-generated. Pure: no database, no network.
 */
import type { Attachment, ParsedMail } from 'mailparser';
import type {
  InboundAttachment,
  InboundMessage,
  SenderIdentity,
  ThreadReferences,
} from '../../core/channel.js';
import { storableExternalId } from '../../core/message-ids.js';
import { findReplyTokens } from '../../core/reply-token.js';
import { bounceEvidence, detectAutomatedMail, findBouncedMessageIds } from './automated-mail.js';
import { parseMailCapped } from './capped-parser.js';
import { mailContentHash } from './content-hash.js';
import { isOwnListMail, type OwnMailIdentity, personSender } from './machine-senders.js';
import { messageIdsInHeaderValue, rawHeaderValues } from './mail-headers.js';
import { htmlToText, sanitiseMailHtml } from './mail-html.js';
import { extractNewText } from './quote-stripping.js';
import { openTnefParts } from './tnef.js';

/** Limits and clock for {@link parseMail}. */
export interface ParseMailOptions {
  /** Attachments larger than this keep their metadata but not their content. */
  maxAttachmentBytes: number;
  /** The kept attachment contents of one mail may add up to at most this many bytes. */
  maxMailBytes: number;
  /** The time of receipt: `receivedAt` when the Date header is missing, invalid or in the future. */
  now: Date;
  /** Our own address and lists (MAIL_FROM, MAIL_OWN_LISTS): returned mail, own groups, form mailers. */
  own?: OwnMailIdentity;
}

/**
 * Characters of text and of sanitised HTML stored with a message, at most. The embedded store
 * writes a value on the main thread (~20–40 ms per MB, more for text it compresses), and no
 * customer writes 200,000 characters: past it the text is cut with a note and the HTML left out;
 * the raw mail keeps everything (issue 17; docs/hostile-mail.md).
 */
export const MAX_STORED_TEXT_CHARS = 200_000;
/** Replied-to Message-IDs kept for threading, the most recent first (a References header may list thousands). */
export const MAX_THREAD_IDS = 100;

/** A Date header may be this far ahead of our clock (skewed clocks) before we distrust it. */
const MAX_CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;

/** Headers that may carry our reply token: the replied-to Message-IDs and our plus-address. */
const REPLY_TOKEN_HEADERS = ['in-reply-to', 'references', 'to', 'cc', 'delivered-to', 'x-original-to'];

/** `[#1042]`, `[# 1042]`, `(#1042)`, `[Ticket #1042]`, `[Richiesta #1042]`. */
const TICKET_TAG = /[[(]\s*(?:(?:ticket|richiesta)\s*)?#\s*(\d{1,9})\s*[\])]/gi;

/** The ticket number of the first tag in a subject (`[#1042]`, `[# 1042]`, `(#1042)`, `[Ticket #1042]`). */
export function subjectTicketNumber(subject: string): number | undefined {
  TICKET_TAG.lastIndex = 0;
  const match = TICKET_TAG.exec(subject);
  TICKET_TAG.lastIndex = 0;
  if (!match) return undefined;
  const number = Number(match[1]);
  return Number.isSafeInteger(number) && number > 0 ? number : undefined;
}

/** The text cut at {@link MAX_STORED_TEXT_CHARS}, with a note of its whole length (Italian first). */
function capText(text: string): string {
  if (text.length <= MAX_STORED_TEXT_CHARS) return text;
  const cut = text.slice(0, MAX_STORED_TEXT_CHARS).replace(/[\uD800-\uDBFF]$/, '');
  return `${cut}\n\n[… testo troncato: ${text.length} caratteri in tutto, il messaggio originale è conservato / text cut: ${text.length} characters in all, the original mail is kept]`;
}

function formatBytes(bytes: number): string {
  const mb = 1024 * 1024;
  if (bytes >= mb && bytes % mb === 0) return `${bytes / mb} MB`;
  if (bytes >= mb) return `${(bytes / mb).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.floor(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

function externalIdOf(parsed: ParsedMail, contentHash: string): string {
  const header = rawHeaderValues(parsed, 'message-id')[0] ?? parsed.messageId ?? '';
  const bracketed = /<([^<>]*)>/.exec(header)?.[1]?.replace(/\s+/g, '');
  const id = bracketed ?? header.replace(/\s+/g, '');
  if (id !== '') return storableExternalId(`<${id}>`);
  return `<${contentHash}@missing-message-id>`;
}

/** The From mailbox, or Sender, Reply-To, Return-Path when From is missing; empty address when none. */
function senderOf(parsed: ParsedMail): SenderIdentity {
  const candidates = [parsed.from, parsed.headers.get('sender'), parsed.replyTo];
  for (const candidate of candidates) {
    if (
      !candidate ||
      typeof candidate !== 'object' ||
      !('value' in candidate) ||
      !Array.isArray(candidate.value)
    ) {
      continue;
    }
    const mailboxes = candidate.value.flatMap((entry) => (entry.group ? entry.group : [entry]));
    const mailbox = mailboxes.find((entry) => entry.address) ?? mailboxes[0];
    if (!mailbox?.address) continue;
    const displayName = mailbox.name?.trim();
    return {
      kind: 'email',
      address: mailbox.address.trim().toLowerCase(),
      ...(displayName ? { displayName } : {}),
    };
  }
  const returnPath = /<([^<>]+@[^<>]+)>/.exec(rawHeaderValues(parsed, 'return-path')[0] ?? '')?.[1];
  return { kind: 'email', address: (returnPath ?? '').trim().toLowerCase() };
}

/** A name for a part that has none: calendar invitations are `invito.ics`, the rest `attachment-N`. */
function unnamedPartFilename(contentType: string | undefined, index: number): string {
  if (/^(text|application)\/(calendar|ics)$/i.test(contentType ?? '')) return 'invito.ics';
  return `attachment-${index + 1}`;
}

function attachmentsOf(parsed: ParsedMail, options: ParseMailOptions): InboundAttachment[] {
  let keptBytes = 0;
  return (parsed.attachments ?? []).map((attachment: Attachment, index): InboundAttachment => {
    // Undefined when it was over the cap (capped-parser.ts): only its size was counted.
    const content: Buffer | undefined = attachment.content;
    const size = attachment.size ?? content?.length ?? 0;
    const result: InboundAttachment = {
      filename: attachment.filename?.trim() || unnamedPartFilename(attachment.contentType, index),
      contentType: (attachment.contentType || 'application/octet-stream').toLowerCase(),
      size,
    };
    if (attachment.cid) result.contentId = attachment.cid;
    if (attachment.contentDisposition === 'inline' || attachment.related) result.inline = true;
    if (size > options.maxAttachmentBytes) {
      result.omittedReason = `over the ${formatBytes(options.maxAttachmentBytes)} limit per file`;
    } else if (keptBytes + size > options.maxMailBytes) {
      result.omittedReason = `over the ${formatBytes(options.maxMailBytes)} limit per message`;
    } else {
      keptBytes += size;
      result.content = new Uint8Array(content ?? []);
    }
    return result;
  });
}

function threadOf(parsed: ParsedMail): ThreadReferences {
  const tokens = REPLY_TOKEN_HEADERS.flatMap((name) => rawHeaderValues(parsed, name)).flatMap(
    findReplyTokens,
  );
  const inReplyTo = rawHeaderValues(parsed, 'in-reply-to').flatMap(messageIdsInHeaderValue);
  const references = rawHeaderValues(parsed, 'references').flatMap(messageIdsInHeaderValue).reverse();
  const thread: ThreadReferences = {};
  if (tokens.length > 0) thread.replyTokens = [...new Set(tokens)];
  const replied = [
    ...new Set([...inReplyTo, ...references].slice(0, MAX_THREAD_IDS).map(storableExternalId)),
  ];
  if (replied.length > 0) thread.inReplyTo = replied;
  const ticketNumber = subjectTicketNumber(parsed.subject ?? '');
  if (ticketNumber !== undefined) thread.ticketNumber = ticketNumber;
  return thread;
}

function receivedAtOf(parsed: ParsedMail, now: Date): Date {
  const header = rawHeaderValues(parsed, 'date')[0];
  if (!header) return now;
  const time = Date.parse(header.replace(/\([^)]*\)/g, ' ').trim());
  if (Number.isNaN(time) || time > now.getTime() + MAX_CLOCK_SKEW_MS) return now;
  return new Date(time);
}

/**
 * Parses one raw message into an {@link InboundMessage}.
 *
 * - `externalId` is the Message-ID with angle brackets (hashed when too long to index, see
 *   `storableExternalId`), or `<contentHash@missing-message-id>`; `contentHash` is
 *   {@link mailContentHash}: a copy of the same mail has the same one, another mail does not.
 * - `fullText` is the text part, or text derived from the HTML part when there is none;
 *   `newText` is {@link extractNewText} of it.
 * - `html` is the HTML part sanitised: basic formatting, http/https/mailto links, images only from
 *   `cid:` or `data:image/…`; no scripts, styles or event handlers.
 * - Attachments over `maxAttachmentBytes`, or past `maxMailBytes` in total, keep their metadata
 *   and an `omittedReason` but no content. `contentId` is the bare `cid:` value.
 * - `thread.ticketNumber` is the number of the first subject tag (the leftmost one is the one our
 *   latest mail put there; tags further right come from quoted or forwarded subjects).
 * - `receivedAt` is the Date header unless it is missing, invalid or more than a day after `now`.
 *
 * Rejects only when mailparser cannot read the message at all; the caller keeps such input with
 * `recordFailedInput`.
 */
export async function parseMail(raw: Buffer, options: ParseMailOptions): Promise<InboundMessage> {
  // Attachments over the cap are counted, not held (capped-parser.ts).
  const parsed = await parseMailCapped(
    raw,
    { skipImageLinks: true, skipHtmlToText: true, skipTextToHtml: true },
    options.maxAttachmentBytes,
  );
  // Outlook's winmail.dat: its files become the mail's attachments, its body the mail's body.
  await openTnefParts(parsed, options.maxAttachmentBytes);

  const html = typeof parsed.html === 'string' && parsed.html.trim() !== '' ? parsed.html : undefined;
  const textPart = parsed.text?.trim() ? parsed.text : undefined;
  const fullText = capText((textPart ?? (html ? htmlToText(html) : '')).replace(/\r\n?/g, '\n'));
  const own = options.own ?? {};
  const ownList = isOwnListMail(parsed, own);
  const person = personSender(parsed, senderOf(parsed), own);
  const automated = detectAutomatedMail(parsed, { own, ownList, personBehindFrom: person.source !== 'from' });
  const contentHash = mailContentHash(raw);

  const message: InboundMessage = {
    channel: 'email',
    externalId: externalIdOf(parsed, contentHash),
    contentHash,
    sender: person.sender,
    newText: extractNewText(fullText),
    fullText,
    attachments: attachmentsOf(parsed, options),
    thread: threadOf(parsed),
    receivedAt: receivedAtOf(parsed, options.now),
    raw: { contentType: 'message/rfc822', data: raw },
  };
  if (parsed.subject !== undefined) message.subject = parsed.subject;
  const sanitised = html === undefined ? undefined : sanitiseMailHtml(html);
  if (sanitised !== undefined && sanitised.length <= MAX_STORED_TEXT_CHARS) message.html = sanitised;
  if (automated) {
    message.automated = automated;
    if (automated.kind === 'bounce') {
      const bounced = findBouncedMessageIds(parsed, raw);
      if (bounced.length > 0) {
        message.bouncedExternalIds = bounced;
        message.bounceEvidence = bounceEvidence(parsed, raw);
      }
    }
  }
  return message;
}
