import type { ImapFlow } from 'imapflow';
import type { Logger } from '../../logger.js';
import type { BatchPlan } from './imap-batches.js';
import type { RawMail } from './mail-batch.js';
import { fetchOversizeMail } from './oversize-mail.js';
import { toSharedBuffer } from './parse-pool.js';

/**
 * What the ImapIngester does to one batch in the mailbox: fetch its mails before they are
 * stored, then move or flag them (or expunge those that carried credentials) after.
 */

/** Mails at least this large are held in memory shared with the parse worker (parse-pool.ts). */
const SHARED_SOURCE_BYTES = 256 * 1024;
/** Mails at least this large (IMAP size) are fetched in pieces of this size (bytes). */
const PIECEWISE_SOURCE_BYTES = 1024 * 1024;

/**
 * One mail's source fetched in pieces of {@link PIECEWISE_SOURCE_BYTES} (`BODY.PEEK[]<start.length>`),
 * each copied at once into memory shared with the parse worker, sized from the IMAP size (grown
 * if the server's size was short). imapflow holds a whole fetched literal in pieces and then joins
 * them: for a 25 MB mail that was 50 MB of garbage on top of the mail (docs/hostile-mail.md).
 * Undefined when the mail is gone.
 */
async function fetchInPieces(client: ImapFlow, uid: number, size: number): Promise<Buffer | undefined> {
  let shared = Buffer.from(new SharedArrayBuffer(size));
  let length = 0;
  for (;;) {
    const message = await client.fetchOne(
      String(uid),
      { source: { start: length, maxLength: PIECEWISE_SOURCE_BYTES } },
      { uid: true },
    );
    if (!message) return undefined;
    const piece = message.source ?? Buffer.alloc(0);
    if (length + piece.length > shared.length) {
      const grown = Buffer.from(new SharedArrayBuffer(length + piece.length + PIECEWISE_SOURCE_BYTES));
      shared.copy(grown, 0, 0, length);
      shared = grown;
    }
    piece.copy(shared, length);
    length += piece.length;
    if (piece.length < PIECEWISE_SOURCE_BYTES) return shared.subarray(0, length);
  }
}

/**
 * The batch's raw mails by UID, whole, except those over `maxMailBytes` (IMAP size, bytes): of
 * those only the start (oversize-mail.ts). Sizes and internal dates come from the sync's plan.
 */
export async function fetchBatchSources(
  client: ImapFlow,
  batch: number[],
  plan: BatchPlan | undefined,
  maxMailBytes: number,
): Promise<RawMail[]> {
  const sources: RawMail[] = [];
  const size = (uid: number) => plan?.sizes.get(uid) ?? 0;
  const arrived = (uid: number) => {
    const date = plan?.arrived.get(uid);
    return date ? { internalDate: date } : {};
  };
  const whole = batch.filter((uid) => size(uid) < PIECEWISE_SOURCE_BYTES);
  for (const uid of batch.filter((uid) => size(uid) >= PIECEWISE_SOURCE_BYTES && size(uid) <= maxMailBytes)) {
    const source = await fetchInPieces(client, uid, size(uid));
    if (source) sources.push({ uid, source, ...arrived(uid) });
  }
  if (whole.length > 0) {
    for await (const message of client.fetch(whole.join(','), { uid: true, source: true }, { uid: true })) {
      // A large mail moves to memory shared with the parse worker, which then needs no copy.
      const source =
        message.source && message.source.length >= SHARED_SOURCE_BYTES
          ? toSharedBuffer(message.source)
          : message.source;
      if (source) sources.push({ uid: message.uid, source, ...arrived(message.uid) });
    }
  }
  for (const uid of batch.filter((uid) => size(uid) > maxMailBytes)) {
    const start = await fetchOversizeMail(client, uid, size(uid), maxMailBytes);
    if (start) sources.push({ uid, ...start, ...arrived(uid) });
  }
  return sources.sort((a, b) => a.uid - b.uid);
}

/**
 * Moves the stored batch to `processedMailbox` or flags it \Seen; a mail that carried a remote
 * tool's credentials is instead marked \Deleted and expunged by UID (RFC 4315 UID EXPUNGE), so
 * the mailbox keeps no copy (T8).
 */
export async function markBatchProcessed(
  client: ImapFlow,
  batch: number[],
  heldCredentials: Set<number>,
  options: { processedMailbox?: string; logger: Logger },
): Promise<void> {
  if (heldCredentials.size > 0) {
    await client.messageDelete([...heldCredentials].join(','), { uid: true });
    options.logger.info(
      { count: heldCredentials.size },
      'mail carrying credentials expunged from the mailbox',
    );
  }
  const range = batch.filter((uid) => !heldCredentials.has(uid)).join(',');
  if (!range) return;
  if (options.processedMailbox) {
    await client.messageMove(range, options.processedMailbox, { uid: true });
  } else {
    await client.messageFlagsAdd(range, ['\\Seen'], { uid: true });
  }
}
