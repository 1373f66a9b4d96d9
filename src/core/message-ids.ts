import { createHash } from 'node:crypto';

/**
 * The longest external id stored as it is, in UTF-8 bytes. PostgreSQL's btree index rows hold at
 * most 2704 bytes, and the inbound index also holds the channel and the content hash; Message-IDs
 * in the wild are under 250 bytes, hostile ones a few KB.
 */
export const MAX_STORED_EXTERNAL_ID_BYTES = 1000;

/**
 * An external id (Message-ID, chat id) in the form that is stored and looked up: as it is when it
 * fits the index, else `<sha256hex@hashed-id.invalid>` of it. Apply it to every id that is stored
 * or compared with stored ones, so a long id still threads.
 */
export function storableExternalId(id: string): string {
  if (Buffer.byteLength(id) <= MAX_STORED_EXTERNAL_ID_BYTES) return id;
  return `<${createHash('sha256').update(id).digest('hex')}@hashed-id.invalid>`;
}
