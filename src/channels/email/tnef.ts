/**
 * Outlook's `winmail.dat` (`application/ms-tnef`): the files and the body inside it, decoded with
 * the `node-tnef` library. The library is run in a short-lived worker thread with a memory cap and
 * a time limit, because it trusts the lengths written in the file (a hostile one can ask for
 * gigabytes), logs on stdout and replaces `String.prototype.replaceAll` when loaded; none of that
 * may reach the helpdesk process. When decoding fails the `winmail.dat` is kept as it came.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Attachment, ParsedMail } from 'mailparser';

/** One file found inside a TNEF container. */
export interface TnefFile {
  filename: string;
  content: Buffer;
}

/** What a TNEF container held. */
export interface TnefContents {
  files: TnefFile[];
  /** The plain-text body (PR_BODY), when present. */
  text?: string;
  /** The HTML body (PR_BODY_HTML), when present. */
  html?: string;
}

/** The TNEF signature, little-endian (MS-OXTNEF §2.1.3.1). */
const TNEF_SIGNATURE = 0x223e9f78;
const TIME_LIMIT_MS = 10_000;
/** The decoder holds every byte as a JavaScript number (8 bytes each) plus copies. */
const WORKER_HEAP_MB = 512;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bunyan = require(workerData.bunyanPath);
const createLogger = bunyan.createLogger;
bunyan.createLogger = (options) => createLogger({ ...options, level: 'fatal' });
const tnef = require(workerData.tnefPath);
tnef.parseBuffer(Buffer.from(workerData.data), (failed, result) => {
  if (failed || !result) {
    parentPort.postMessage({ error: result instanceof Error ? result.message : 'not a TNEF file' });
    return;
  }
  const bytes = (value) => (Array.isArray(value) ? Buffer.from(value) : undefined);
  parentPort.postMessage({
    files: (result.Attachments || [])
      .filter((file) => Array.isArray(file.Data))
      .map((file) => ({ filename: String(file.Title || ''), content: Buffer.from(file.Data) })),
    body: bytes(result.Body),
    html: bytes(result.BodyHTML),
  });
});
`;

let modulePaths: { tnefPath: string; bunyanPath: string } | undefined;

function paths(): { tnefPath: string; bunyanPath: string } {
  if (!modulePaths) {
    const require = createRequire(import.meta.url);
    const tnefPath = require.resolve('node-tnef');
    modulePaths = { tnefPath, bunyanPath: createRequire(tnefPath).resolve('bunyan') };
  }
  return modulePaths;
}

/** Whether a part is a TNEF container, by content type, file name or signature. */
export function isTnef(
  contentType: string | undefined,
  filename: string | undefined,
  content?: Buffer,
): boolean {
  if (/^application\/(ms-tnef|vnd\.ms-tnef)$/i.test(contentType ?? '')) return true;
  if (/^winmail\.dat$/i.test(filename ?? '')) return content !== undefined && hasSignature(content);
  return false;
}

function hasSignature(content: Buffer): boolean {
  return content.length >= 6 && content.readUInt32LE(0) === TNEF_SIGNATURE;
}

/** The body bytes: PR_BODY is the code page's 8-bit text, NUL-terminated; UTF-8 when it decodes. */
function bodyText(bytes: Uint8Array | undefined): string | undefined {
  if (!bytes || bytes.length === 0) return undefined;
  const buffer = Buffer.from(bytes);
  const end = buffer.indexOf(0);
  const trimmed = end >= 0 ? buffer.subarray(0, end) : buffer;
  const utf8 = trimmed.toString('utf8');
  const text = utf8.includes('\ufffd') ? trimmed.toString('latin1') : utf8;
  return text.trim() === '' ? undefined : text;
}

/** Byte size of fixed-size MAPI property types (MS-OXCDATA §2.11.1); variable types are absent. */
const MAPI_FIXED_SIZE: Record<number, number> = {
  2: 2,
  11: 2,
  3: 4,
  4: 4,
  10: 4,
  5: 8,
  6: 8,
  7: 8,
  20: 8,
  64: 8,
  72: 16,
};
const MAPI_VARIABLE = new Set([0x001e, 0x001f, 0x000d, 0x0102]);

/** Whether a MAPI property block's lengths all stay inside it (what the decoder trusts blindly). */
function mapiBlockFits(data: Buffer): boolean {
  if (data.length < 4) return false;
  const count = data.readUInt32LE(0);
  if (count > data.length / 4) return false;
  let offset = 4;
  for (let i = 0; i < count; i++) {
    if (offset + 4 > data.length) return false;
    const rawType = data.readUInt16LE(offset);
    const id = data.readUInt16LE(offset + 2);
    offset += 4;
    const type = rawType & ~0x1000;
    if (id >= 0x8000) {
      if (offset + 20 > data.length) return false;
      const kind = data.readUInt32LE(offset + 16);
      offset += 20;
      if (kind === 0) offset += 4;
      else if (kind === 1) {
        if (offset + 4 > data.length) return false;
        const length = data.readUInt32LE(offset);
        offset += 4 + length + (-length & 3);
      }
    }
    const variable = MAPI_VARIABLE.has(type);
    let values = 1;
    if (variable || (rawType & 0x1000) !== 0) {
      if (offset + 4 > data.length) return false;
      values = data.readUInt32LE(offset);
      offset += 4;
      if (values > data.length) return false;
    }
    for (let v = 0; v < values; v++) {
      let length = MAPI_FIXED_SIZE[type] ?? 0;
      if (variable) {
        if (offset + 4 > data.length) return false;
        length = data.readUInt32LE(offset);
        offset += 4;
      }
      offset += length + (-length & 3);
      if (offset > data.length) return false;
    }
  }
  return offset <= data.length;
}

/**
 * Whether every attribute length in the file stays inside it. `node-tnef` allocates whatever a
 * length says, and an allocation of gigabytes ends the whole process, worker or not.
 */
export function tnefStructureFits(content: Buffer): boolean {
  if (!hasSignature(content)) return false;
  let offset = 6;
  while (offset < content.length) {
    if (offset + 9 > content.length) return false;
    const level = content.readUInt8(offset);
    const name = content.readUInt16LE(offset + 1);
    const length = content.readUInt32LE(offset + 5);
    const end = offset + 9 + length + 2;
    if (end > content.length) return false;
    if (level === 1 && name === 0x9003 && !mapiBlockFits(content.subarray(offset + 9, offset + 9 + length)))
      return false;
    offset = end;
  }
  return true;
}

/** A file name without control characters or directories (`..\\x` and `a/b` become `x`, `b`). */
function safeFilename(name: string): string {
  const printable = [...name].filter((char) => char.charCodeAt(0) >= 0x20).join('');
  return (printable.split(/[\\/]/).pop() ?? '').trim().replace(/^\.+$/, '');
}

/**
 * Decodes a TNEF container. Resolves undefined when it is not one, is damaged, or takes more
 * than 10 s or 512 MB to decode, or a length in it points outside it; never rejects.
 */
export async function decodeTnef(content: Buffer): Promise<TnefContents | undefined> {
  if (!tnefStructureFits(content)) return undefined;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { ...paths(), data: content },
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    stdout: true,
    stderr: true,
  });
  worker.stdout.resume();
  worker.stderr.resume();
  const result = await new Promise<
    { error?: string; files?: TnefFile[]; body?: Uint8Array; html?: Uint8Array } | undefined
  >((resolve) => {
    const timer = setTimeout(() => resolve(undefined), TIME_LIMIT_MS);
    worker.once('message', (message) => {
      clearTimeout(timer);
      resolve(message);
    });
    worker.once('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
  await worker.terminate();
  if (!result || result.error || !result.files) return undefined;
  const files = result.files.map((file, index) => ({
    filename: safeFilename(file.filename) || `winmail-${index + 1}.bin`,
    content: Buffer.from(file.content),
  }));
  const text = bodyText(result.body);
  const htmlCandidate = bodyText(result.html);
  // node-tnef copies PR_BODY into BodyHTML as well when there is no PR_BODY_HTML.
  const html =
    htmlCandidate && htmlCandidate !== text && /<[a-z!]/i.test(htmlCandidate) ? htmlCandidate : undefined;
  if (files.length === 0 && !text && !html) return undefined;
  return { files, ...(text ? { text } : {}), ...(html ? { html } : {}) };
}

/** Content types by file extension, for files that come out of a TNEF container without one. */
const TYPES_BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  txt: 'text/plain',
  ics: 'text/calendar',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  zip: 'application/zip',
  msg: 'application/vnd.ms-outlook',
};

/** The content type of a file name, by extension; `application/octet-stream` when unknown. */
export function contentTypeOf(filename: string): string {
  const extension = /\.([a-z0-9]+)$/i.exec(filename)?.[1]?.toLowerCase() ?? '';
  return TYPES_BY_EXTENSION[extension] ?? 'application/octet-stream';
}

/**
 * Replaces each TNEF part of a parsed mail by the files inside it, and gives the mail the text and
 * HTML body found inside when it had none of its own. Containers larger than `maxBytes` (the
 * attachment cap) are not opened; a container that cannot be decoded stays as it came.
 */
export async function openTnefParts(parsed: ParsedMail, maxBytes: number): Promise<void> {
  const attachments = parsed.attachments ?? [];
  if (!attachments.some((part) => isTnef(part.contentType, part.filename, part.content))) return;
  const opened: Attachment[] = [];
  for (const part of attachments) {
    const content = part.content;
    if (!isTnef(part.contentType, part.filename, content) || !content || content.length > maxBytes) {
      opened.push(part);
      continue;
    }
    const contents = await decodeTnef(content);
    if (!contents) {
      opened.push(part);
      continue;
    }
    for (const file of contents.files) {
      opened.push({
        type: 'attachment',
        filename: file.filename,
        contentType: contentTypeOf(file.filename),
        contentDisposition: 'attachment',
        content: file.content,
        size: file.content.length,
        checksum: '',
        headers: new Map(),
        headerLines: [],
        related: false,
        partId: `${part.partId ?? ''}.tnef`,
        release: null,
      } as unknown as Attachment);
    }
    if (!parsed.text?.trim() && contents.text) parsed.text = contents.text;
    if (!(typeof parsed.html === 'string' && parsed.html.trim()) && contents.html)
      parsed.html = contents.html;
  }
  parsed.attachments = opened;
}
