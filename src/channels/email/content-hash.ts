import { createHash } from 'node:crypto';

/**
 * Headers the author's side writes; everything else in the header (Received, Delivered-To,
 * Return-Path, Authentication-Results, ARC-*, spam scores, X-…) is added or changed in transit and
 * differs between two copies of one mail (To + Cc delivery, a second mailbox, a re-scan after a
 * move). See docs/message-identity.md.
 */
const ORIGIN_HEADERS = [
  'from',
  'sender',
  'reply-to',
  'to',
  'cc',
  'subject',
  'date',
  'message-id',
  'in-reply-to',
  'references',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
];

/** Where the header ends: the offset of the body, or the whole length when there is no body. */
function bodyOffset(raw: Buffer): { headerEnd: number; bodyStart: number } {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { headerEnd: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { headerEnd: lf, bodyStart: lf + 2 };
  return { headerEnd: raw.length, bodyStart: raw.length };
}

/**
 * SHA-256 (hex) of a mail's content without its transport headers: the origin headers (unfolded,
 * whitespace collapsed, in a fixed order, every occurrence) and the body bytes as received. Two
 * copies of one mail get the same hash; a different mail under a reused Message-ID does not.
 */
export function mailContentHash(raw: Buffer): string {
  const { headerEnd, bodyStart } = bodyOffset(raw);
  const header = raw
    .subarray(0, headerEnd)
    .toString('latin1')
    .replace(/\r?\n[ \t]/g, ' ');
  const values = new Map<string, string[]>();
  for (const line of header.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!ORIGIN_HEADERS.includes(name)) continue;
    const list = values.get(name) ?? [];
    list.push(
      line
        .slice(colon + 1)
        .replace(/\s+/g, ' ')
        .trim(),
    );
    values.set(name, list);
  }
  const hash = createHash('sha256');
  for (const name of ORIGIN_HEADERS) {
    for (const value of values.get(name) ?? []) hash.update(`${name}:${value}\n`, 'latin1');
  }
  hash.update('\n');
  // Line ends as the mailbox stored them; trailing blank lines are transport noise.
  let end = raw.length;
  while (end > bodyStart && (raw[end - 1] === 0x0a || raw[end - 1] === 0x0d)) end--;
  hash.update(raw.subarray(bodyStart, end));
  return hash.digest('hex');
}
