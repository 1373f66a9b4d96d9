/**
 * Mail over MAX_MAIL_MB is never fetched whole: its IMAP size is known before the fetch, so only
 * the start of its header block and its first text part (decoded by imapflow, up to a cap) are
 * fetched, and they become a small stand-in mail that is parsed as usual. The parts left on the
 * server are listed as omitted attachments, so the customer's notice and the technicians' view
 * show what is missing. See docs/hostile-mail.md.
 */
import type { ImapFlow, MessageStructureObject } from 'imapflow';
import type { InboundAttachment, RawInput } from '../../core/channel.js';

/** Bytes of the header block fetched, at most (a header cut here ends at its last whole line). */
export const OVERSIZE_HEADER_BYTES = 256 * 1024;
/** Decoded bytes of the first text part kept, at most. */
export const OVERSIZE_TEXT_BYTES = 1024 * 1024;

/** What was left on the server of a mail over the size cap. */
export interface OversizeNote {
  /** IMAP size of the whole mail, in bytes. */
  size: number;
  /** Parts not fetched, as attachments without content. */
  omitted: InboundAttachment[];
}

/** The stand-in of an oversize mail: headers and first text part, and what was left out. */
export interface OversizeFetch {
  source: Buffer;
  oversize: OversizeNote;
}

/** Header fields replaced in the stand-in, which has one UTF-8 text body of its own. */
const BODY_HEADERS = /^(content-type|content-transfer-encoding|mime-version|content-disposition)\s*:/i;

/** `1.5 MB`, `25 MB`. */
export function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}

/** The header block at the start of `source` (up to the blank line, or its last whole line). */
function headerBlock(source: Buffer): string {
  const text = source.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const block = end >= 0 ? text.slice(0, end) : text.slice(0, Math.max(0, text.lastIndexOf('\n')));
  const kept: string[] = [];
  let skipping = false;
  for (const line of block.split(/\r?\n/)) {
    const continuation = /^[ \t]/.test(line);
    if (!continuation) skipping = BODY_HEADERS.test(line);
    if (!skipping && line !== '') kept.push(line);
  }
  return kept.join('\r\n');
}

interface TextPart {
  part: string;
  type: string;
  size: number;
}

/** Depth first: the first inline text/plain part, else the first inline text/html part. */
function firstTextPart(root: MessageStructureObject | undefined): TextPart | undefined {
  const texts: TextPart[] = [];
  const walk = (node: MessageStructureObject) => {
    if (node.childNodes?.length) {
      for (const child of node.childNodes) walk(child);
      return;
    }
    const type = node.type.toLowerCase();
    if ((type === 'text/plain' || type === 'text/html') && node.disposition?.toLowerCase() !== 'attachment') {
      texts.push({ part: node.part ?? '1', type, size: node.size ?? 0 });
    }
  };
  if (root) walk(root);
  return texts.find((text) => text.type === 'text/plain') ?? texts[0];
}

/** Every leaf part except `kept`, as an attachment without content. */
function omittedParts(root: MessageStructureObject | undefined, kept: string | undefined, reason: string) {
  const omitted: InboundAttachment[] = [];
  const walk = (node: MessageStructureObject) => {
    if (node.childNodes?.length) {
      for (const child of node.childNodes) walk(child);
      return;
    }
    if ((node.part ?? '1') === kept) return;
    const filename =
      node.dispositionParameters?.filename ?? node.parameters?.name ?? `part-${node.part ?? '1'}`;
    omitted.push({
      filename: filename.slice(0, 255),
      contentType: node.type.toLowerCase(),
      size: node.size ?? 0,
      omittedReason: reason,
    });
  };
  if (root) walk(root);
  return omitted;
}

async function readCapped(stream: NodeJS.ReadableStream, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const room = maxBytes - bytes;
    if (room <= 0) break;
    const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
    chunks.push(piece);
    bytes += piece.length;
  }
  return Buffer.concat(chunks);
}

/**
 * Fetches the start of mail `uid` (headers up to {@link OVERSIZE_HEADER_BYTES}) and its first text
 * part decoded to UTF-8 (up to {@link OVERSIZE_TEXT_BYTES}) and builds a stand-in mail of them;
 * undefined when the mail is no longer in the mailbox.
 */
export async function fetchOversizeMail(
  client: ImapFlow,
  uid: number,
  size: number,
  maxMailBytes: number,
): Promise<OversizeFetch | undefined> {
  const head = await client.fetchOne(
    String(uid),
    { uid: true, bodyStructure: true, source: { start: 0, maxLength: OVERSIZE_HEADER_BYTES } },
    { uid: true },
  );
  // Gone since it was listed (expunged): like a whole fetch, it is simply not there.
  if (!head) return undefined;
  const headers = head.source !== undefined ? headerBlock(head.source) : '';
  const structure = head.bodyStructure;
  const text = firstTextPart(structure);
  let body: Buffer = Buffer.alloc(0);
  if (text) {
    const download = await client.download(String(uid), text.part, {
      uid: true,
      maxBytes: OVERSIZE_TEXT_BYTES,
    });
    if (download.content) body = await readCapped(download.content, OVERSIZE_TEXT_BYTES);
  }
  const reason = `the mail was ${megabytes(size)}, over the ${megabytes(maxMailBytes)} limit per message`;
  const omitted = omittedParts(structure, text?.part, reason);
  if (omitted.length === 0 && text && text.size > body.length) {
    // Nothing but a huge text: say that the rest of it was not kept.
    omitted.push({ filename: 'message.eml', contentType: 'message/rfc822', size, omittedReason: reason });
  }
  const contentType = text?.type === 'text/html' ? 'text/html' : 'text/plain';
  const source = Buffer.concat([
    Buffer.from(headers, 'latin1'),
    Buffer.from(
      `\r\nMIME-Version: 1.0\r\nContent-Type: ${contentType}; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`,
    ),
    body,
  ]);
  return { source, oversize: { size, omitted } };
}

/** `data` up to `maxBytes`; when cut, `originalSize` says how long the whole input was. */
export function cappedRawInput(data: Buffer, maxBytes: number, originalSize?: number): RawInput {
  const whole = originalSize ?? data.length;
  if (data.length <= maxBytes && whole === data.length) return { contentType: 'message/rfc822', data };
  return {
    contentType: 'message/rfc822',
    data: data.length > maxBytes ? data.subarray(0, maxBytes) : data,
    originalSize: whole,
  };
}
