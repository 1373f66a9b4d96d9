/** How the IMAP channel splits the new mail of a mailbox into fetches. */
import type { ImapFlow } from 'imapflow';

/** The fetches of one sync, and what the planning learnt of each mail. */
export interface BatchPlan {
  batches: number[][];
  /** Mails left out as older than `importSince`. */
  skipped: number;
  /** IMAP size (RFC822.SIZE) of each mail, in bytes, by UID. */
  sizes: Map<number, number>;
  /** IMAP internal date of each mail (when it reached the mailbox), by UID. */
  arrived: Map<number, Date>;
}

/**
 * Splits UIDs into batches bounded by count and by raw size, leaving out mail that reached the
 * mailbox before `importSince` (by its IMAP internal date); says how many were left out.
 */
export async function planBatches(
  client: ImapFlow,
  uids: number[],
  limits: { maxCount: number; maxBytes: number; importSince?: Date },
): Promise<BatchPlan> {
  const { maxCount, maxBytes, importSince } = limits;
  const sizes = new Map<number, number>();
  const arrived = new Map<number, Date>();
  for (let i = 0; i < uids.length; i += 1000) {
    const range = uids.slice(i, i + 1000).join(',');
    const query = { uid: true, size: true, internalDate: true };
    for await (const message of client.fetch(range, query, { uid: true })) {
      sizes.set(message.uid, message.size ?? 0);
      const date = message.internalDate;
      if (date) arrived.set(message.uid, new Date(date));
    }
  }
  const batches: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  let skipped = 0;
  for (const uid of uids) {
    const date = arrived.get(uid);
    if (importSince && date && date.getTime() < importSince.getTime()) {
      skipped++;
      continue;
    }
    const size = sizes.get(uid) ?? 0;
    if (current.length > 0 && (current.length >= maxCount || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(uid);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return { batches, skipped, sizes, arrived };
}
