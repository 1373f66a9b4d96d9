/**
 * The worker-thread side of {@link MailParsePool}: runs the pure {@link parseMail} on one raw mail
 * and returns the message without its raw bytes (the caller still holds them). Loaded by piscina,
 * from `dist/parse-worker.js` when compiled and through `parse-worker-loader.mjs` under tsx/vitest.
 */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import type { InboundMessage } from '../../core/channel.js';
import { type ParseMailOptions, parseMail } from './parse-mail.js';

/** One parse job as posted to the worker (structured-cloned). */
export interface ParseTask {
  raw: Uint8Array;
  maxAttachmentBytes: number;
  maxMailBytes: number;
  /** Time of receipt, ms since the epoch. */
  now: number;
  /** Our own address and lists (machine and list detection, own groups). */
  own?: ParseMailOptions['own'];
}

/** The parsed message without `raw`, which stays with the caller. */
export type ParsedWithoutRaw = Omit<InboundMessage, 'raw'>;

/** Parses one mail; attachment contents are moved to the caller, not copied. */
export default async function parseInWorker(task: ParseTask): Promise<ParsedWithoutRaw> {
  const raw = Buffer.from(task.raw.buffer, task.raw.byteOffset, task.raw.byteLength);
  const { raw: _raw, ...message } = await parseMail(raw, {
    maxAttachmentBytes: task.maxAttachmentBytes,
    maxMailBytes: task.maxMailBytes,
    now: new Date(task.now),
    own: task.own,
  });
  // Each kept content is a copy of its own (parseMail's `new Uint8Array`), so it can be moved.
  const buffers = [
    ...new Set(
      message.attachments.flatMap((a) =>
        a.content && a.content.byteLength === a.content.buffer.byteLength ? [a.content.buffer] : [],
      ),
    ),
  ];
  if (buffers.length === 0) return message;
  const movable = { [transferableSymbol]: buffers, [valueSymbol]: message };
  return move(movable as never) as unknown as ParsedWithoutRaw;
}
