/**
 * Reading a Bot API call as grammY sends it: parameters from the query string and a JSON,
 * urlencoded or multipart/form-data body (uploads included), and coercing parameter values.
 */
import type { IncomingMessage } from 'node:http';
import { bad } from './api-errors.js';
import type { ApiParams, UploadedFile } from './types.js';

/** An integer parameter, or 400 `<name> is empty`. */
export function toInt(value: unknown, name: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw bad(`${name} is empty`);
  return n;
}

/** A numeric parameter, or undefined when absent or not a number. */
export function optionalInt(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** An object parameter, given as an object or as JSON text (400 when the text is not JSON). */
export function asObject<T>(value: unknown): T | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as T;
    } catch {
      throw bad("can't parse JSON object");
    }
  }
  return value as T;
}

/** The whole request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseMultipart(body: Buffer, boundary: string): { fields: ApiParams; files: UploadedFile[] } {
  const fields: ApiParams = {};
  const files: UploadedFile[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const partStart = start + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, partStart);
    if (next < 0) break;
    // Part: CRLF headers CRLF CRLF content CRLF
    let part = body.subarray(partStart, next);
    if (part.subarray(0, 2).toString() === '\r\n') part = part.subarray(2);
    if (part.subarray(part.length - 2).toString() === '\r\n') part = part.subarray(0, part.length - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, Math.max(headerEnd, 0)).toString('utf8');
    const content = headerEnd < 0 ? part : part.subarray(headerEnd + 4);
    const name = /(?:^|[;\s])name="([^"]*)"/i.exec(headers)?.[1];
    const filename = /filename="?([^";\r\n]*)"?/i.exec(headers)?.[1];
    const contentType = /content-type:\s*([^\r\n;]+)/i.exec(headers)?.[1]?.trim();
    if (name !== undefined) {
      if (filename !== undefined) {
        files.push({
          field: name,
          filename,
          contentType: contentType ?? 'application/octet-stream',
          content: Buffer.from(content),
        });
      } else {
        const value = content.toString('utf8');
        fields[name] = /^[[{]/.test(value) ? (asObject(value) ?? value) : value;
      }
    }
    start = next;
  }
  return { fields, files };
}

/** A call's parameters (query string plus JSON, urlencoded or multipart body) and its uploads. */
export function parseParams(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
): { params: ApiParams; uploads: UploadedFile[] } {
  const params: ApiParams = Object.fromEntries(url.searchParams);
  const type = req.headers['content-type'] ?? '';
  if (body.length === 0) return { params, uploads: [] };
  if (type.includes('multipart/form-data')) {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(type);
    if (!boundary) throw bad('invalid multipart boundary');
    const { fields, files } = parseMultipart(body, (boundary[1] ?? boundary[2])!.trim());
    return { params: { ...params, ...fields }, uploads: files };
  }
  if (type.includes('application/x-www-form-urlencoded')) {
    return {
      params: { ...params, ...Object.fromEntries(new URLSearchParams(body.toString('utf8'))) },
      uploads: [],
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw bad("can't parse JSON object");
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw bad("can't parse JSON object");
  return { params: { ...params, ...(parsed as ApiParams) }, uploads: [] };
}
