/**
 * Downloading the files of a Telegram message (photos, documents, voice notes…) as attachments,
 * within a size cap: `getFile`, then `GET {apiRoot}/file/bot<token>/<file_path>`.
 */
import { type Api, GrammyError } from 'grammy';
import type { InboundAttachment } from '../../core/channel.js';
import { FileDownloadError } from '../../core/errors.js';
import type { TelegramFile } from './parse-update.js';

/** The cloud Bot API serves files up to 20 MB through getFile. */
export const TELEGRAM_DOWNLOAD_LIMIT_BYTES = 20 * 1024 * 1024;

export interface FileDownloadOptions {
  api: Api;
  token: string;
  /** Bot API root without a trailing slash (`https://api.telegram.org` by default). */
  apiRoot: string;
  /** Files larger than this are kept as metadata only, with an `omittedReason`. */
  maxFileBytes: number;
  signal?: AbortSignal;
}

export { FileDownloadError };

/** grammY's Node build types its `signal` parameters with an AbortSignal shim; the platform's
 * AbortSignal works at run time. */
export function apiSignal(signal: AbortSignal | undefined): Parameters<Api['getFile']>[1] {
  return signal as unknown as Parameters<Api['getFile']>[1];
}

function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}

function omitted(file: TelegramFile, size: number, reason: string): InboundAttachment {
  return { filename: file.filename, contentType: file.contentType, size, omittedReason: reason };
}

/** Reads a response body, giving up (undefined) as soon as it passes `max` bytes. */
async function readCapped(response: Response, max: number): Promise<Uint8Array | undefined> {
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

/**
 * One file as an attachment. Over the cap (as announced, as `getFile` says, or as actually
 * received) or refused by Telegram for good (400: too big, invalid id), it becomes metadata with
 * an `omittedReason`, so the message itself is still stored. Network errors, 429 and 5xx throw,
 * so the update is retried later.
 */
export async function downloadFile(
  file: TelegramFile,
  options: FileDownloadOptions,
): Promise<InboundAttachment> {
  const cap = options.maxFileBytes;
  const overCap = `larger than the ${megabytes(cap)} limit`;
  if (file.size !== undefined && file.size > cap) return omitted(file, file.size, overCap);
  if (file.size !== undefined && file.size > TELEGRAM_DOWNLOAD_LIMIT_BYTES) {
    return omitted(file, file.size, 'larger than the 20 MB Telegram lets bots download');
  }
  let info: Awaited<ReturnType<Api['getFile']>>;
  try {
    info = await options.api.getFile(file.fileId, apiSignal(options.signal));
  } catch (error) {
    if (error instanceof GrammyError && error.error_code === 400) {
      return omitted(file, file.size ?? 0, `Telegram would not give the file: ${error.description}`);
    }
    throw error;
  }
  const size = info.file_size ?? file.size ?? 0;
  if (size > cap) return omitted(file, size, overCap);
  if (!info.file_path) return omitted(file, size, 'Telegram gave no download path for the file');

  const path = info.file_path.split('/').map(encodeURIComponent).join('/');
  let response: Response;
  try {
    response = await fetch(`${options.apiRoot}/file/bot${options.token}/${path}`, { signal: options.signal });
  } catch (error) {
    // The message of a failed fetch never includes the URL (which holds the token).
    throw new FileDownloadError(`file download failed: ${(error as Error).message}`);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 500 || response.status === 429) {
      throw new FileDownloadError(`file download failed: HTTP ${response.status}`);
    }
    return omitted(file, size, `download refused by Telegram (HTTP ${response.status})`);
  }
  const content = await readCapped(response, cap);
  if (!content) return omitted(file, Math.max(size, cap + 1), overCap);
  return { filename: file.filename, contentType: file.contentType, size: content.byteLength, content };
}

/** All files of a message, in order (see `downloadFile`). */
export async function downloadFiles(
  files: TelegramFile[],
  options: FileDownloadOptions,
): Promise<InboundAttachment[]> {
  const out: InboundAttachment[] = [];
  for (const file of files) out.push(await downloadFile(file, options));
  return out;
}
