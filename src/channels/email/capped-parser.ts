/**
 * mailparser's `simpleParser`, with one difference: an attachment's decoded content is kept only
 * up to a cap. Past it the rest is counted and dropped as it is decoded, so an attachment over
 * MAX_ATTACHMENT_MB is never held in memory (issue 17 item 2): `simpleParser` kept every
 * attachment whole, then copied it once more into one Buffer — ~40 MB of the parse worker's peak
 * for the 18 MB attachment of a 25 MB mail. Same events, same order, same result otherwise.
 */
import { type AttachmentStream, MailParser, type MailParserOptions, type ParsedMail } from 'mailparser';

/** A parsed attachment: `content` is undefined when it was over the cap (`size` is still whole). */
type CappedAttachment = ParsedMail['attachments'][number];

/** The header fields `simpleParser` copies onto the parsed mail, and their property names. */
const HEADER_FIELDS = [
  'subject',
  'references',
  'date',
  'to',
  'from',
  'cc',
  'bcc',
  'message-id',
  'in-reply-to',
  'reply-to',
];

/**
 * Parses one raw message like mailparser's `simpleParser` with `keepCidLinks` (cid: links are left
 * as they are). An attachment whose decoded size is over `maxAttachmentBytes` has no `content`
 * (undefined) and its full decoded `size`. Checksums are not computed. Rejects on a parser error.
 */
export function parseMailCapped(
  input: Buffer,
  options: MailParserOptions,
  maxAttachmentBytes: number,
): Promise<ParsedMail> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error: unknown, mail?: ParsedMail) => {
      if (settled) return;
      settled = true;
      if (error) reject(error);
      else resolve(mail!);
    };
    const mail = { attachments: [] as CappedAttachment[] } as unknown as ParsedMail & Record<string, unknown>;
    const parser = new MailParser({ ...options, checksumAlgo: false });
    parser.on('error', (error: unknown) => settle(error));
    parser.on('headers', (headers) => {
      mail.headers = headers;
      mail.headerLines = parser.headerLines || [];
      if (parser.otp) mail.otp = parser.otp;
    });
    let reading = false;
    const reader = (): void => {
      reading = true;
      const data = parser.read() as
        | (AttachmentStream & { type: 'attachment' })
        | { type: 'text'; [key: string]: unknown }
        | null;
      if (data === null) {
        reading = false;
        return;
      }
      if (data.type === 'text') {
        for (const key of ['text', 'html', 'textAsHtml', 'textConversionError']) {
          if (key in data) mail[key] = data[key as keyof typeof data];
        }
        reader();
        return;
      }
      const attachment = data;
      const stream = attachment.content;
      mail.attachments.push(attachment as unknown as CappedAttachment);
      let chunks: Buffer[] = [];
      let length = 0;
      let over = false;
      stream.on('readable', () => {
        let chunk: Buffer | null;
        // biome-ignore lint/suspicious/noAssignInExpressions: the stream's own read loop
        while ((chunk = stream.read() as Buffer | null) !== null) {
          length += chunk.length;
          if (over) continue;
          if (length > maxAttachmentBytes) {
            over = true;
            chunks = [];
          } else {
            chunks.push(chunk);
          }
        }
      });
      stream.on('end', () => {
        const kept = attachment as unknown as { content?: Buffer; size: number };
        kept.content = over ? undefined : Buffer.concat(chunks, length);
        kept.size = attachment.size ?? length;
        chunks = [];
        attachment.release?.();
        reader();
      });
    };
    parser.on('readable', () => {
      if (!reading) reader();
    });
    parser.on('end', () => {
      for (const key of HEADER_FIELDS) {
        if (mail.headers?.has(key)) {
          mail[key.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())] = mail.headers.get(key);
        }
      }
      settle(undefined, mail);
    });
    void feed(parser, input).catch((error: unknown) => settle(error));
  });
}

/** Bytes handed to the parser at a time. */
const FEED_BYTES = 64 * 1024;

/**
 * Writes the mail in slices, waiting whenever the parser is full: written whole, a 25 MB mail had
 * all of its decoded output queued inside the parser's streams at once (~90 MB).
 */
async function feed(parser: MailParser, input: Buffer): Promise<void> {
  for (let start = 0; start < input.length; start += FEED_BYTES) {
    if (!parser.write(input.subarray(start, start + FEED_BYTES))) {
      // Resumes on drain; on an error or close the parser has settled the result already.
      await new Promise<void>((resolve) => {
        const done = () => {
          parser.off('drain', done);
          parser.off('error', done);
          parser.off('close', done);
          resolve();
        };
        parser.on('drain', done);
        parser.on('error', done);
        parser.on('close', done);
      });
    }
    if (parser.destroyed || parser.errored) return;
  }
  parser.end();
}
