/**
 * Mail of ours coming back: the returned `message/rfc822` or `text/rfc822-headers` parts of a
 * bounce, the Message-IDs they name, and whom the bounce concerns (failed recipients' domains,
 * reply tokens), which decides whether a delivery of ours is marked failed.
 */
import type { Attachment, ParsedMail } from 'mailparser';
import { findReplyTokens } from '../../core/reply-token.js';
import type { OwnMailIdentity } from './machine-senders.js';
import { normaliseMessageId, rawHeaderValues } from './mail-headers.js';

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

/**
 * A `message/rfc822` or `text/rfc822-headers` part that is one of our own mails coming back (its
 * Message-ID is at our domain or carries a reply token), whatever language the bounce is in. A
 * customer forwarding our mail as an attachment is not a bounce: the returned mail was addressed
 * to them, and they are its sender.
 */
export function returnedMessageOfOurs(parsed: ParsedMail, own: OwnMailIdentity): string | undefined {
  const domain = own.address?.slice(own.address.lastIndexOf('@') + 1).toLowerCase();
  const sender = (parsed.from?.value ?? []).map((entry) => entry.address?.toLowerCase()).filter(Boolean);
  for (const attachment of parsed.attachments ?? []) {
    if (!isReturnedMessagePart(attachment) || !attachment.content) continue;
    const headers = headerSection(Buffer.from(attachment.content).toString('latin1'));
    const ours = messageIdsInHeaderText(headers).find(
      (id) => (domain && id.toLowerCase().endsWith(`@${domain}>`)) || findReplyTokens(id).length > 0,
    );
    if (!ours) continue;
    const recipients = addressesInHeaderText(headers, ['to', 'cc']);
    if (sender.some((address) => recipients.includes(address!))) continue;
    return `returned ${attachment.contentType} of ours (${ours})`;
  }
  return undefined;
}

/** Lower-case addresses in some fields of a block of header text. */
function addressesInHeaderText(text: string, fields: string[]): string[] {
  const pattern = new RegExp(`^(?:${fields.join('|')})[ \t]*:[ \t]*(.*(?:\r?\n[ \t]+.*)*)`, 'gim');
  const found: string[] = [];
  for (const match of text.matchAll(pattern)) {
    for (const address of match[1]!.match(/[^\s<>,;:"()]+@[^\s<>,;:"()]+/g) ?? [])
      found.push(address.toLowerCase());
  }
  return found;
}

/**
 * What a bounce says about whom it concerns: the domains of the failed recipients it names
 * (`Final-Recipient`, `Original-Recipient`, `X-Failed-Recipients`, the returned mail's To/Cc) and
 * of its own sender, and every reply-token-shaped string in it (genuineness is checked later).
 */
export function bounceEvidence(
  parsed: ParsedMail,
  raw: Buffer | string,
): { recipientDomains: string[]; replyTokens: string[] } {
  const domains = new Set<string>();
  const add = (address: string) => {
    const at = address.lastIndexOf('@');
    if (at > 0)
      domains.add(
        address
          .slice(at + 1)
          .replace(/[>.]+$/, '')
          .toLowerCase(),
      );
  };
  const rawText = typeof raw === 'string' ? raw : raw.toString('latin1');
  for (const entry of parsed.from?.value ?? []) if (entry.address) add(entry.address);
  for (const value of rawHeaderValues(parsed, 'x-failed-recipients'))
    for (const a of value.split(/[\s,]+/)) add(a);
  for (const match of rawText.matchAll(
    /^(?:final|original)-recipient[ \t]*:[^;\n]*;[ \t]*<?([^\s<>]+@[^\s<>]+)/gim,
  ))
    add(match[1]!);
  const tokens = new Set(findReplyTokens(rawText));
  for (const attachment of parsed.attachments ?? []) {
    if (!isReturnedMessagePart(attachment) || !attachment.content) continue;
    const text = Buffer.from(attachment.content).toString('latin1');
    for (const address of addressesInHeaderText(headerSection(text), ['to', 'cc'])) add(address);
    for (const token of findReplyTokens(text)) tokens.add(token);
  }
  return { recipientDomains: [...domains], replyTokens: [...tokens] };
}
