import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../src/core/customers.js';
import { attachmentContents } from '../../src/db/sql/attachment-contents.js';
import { STORE_CHUNK_BYTES } from '../../src/db/stored-chunks.js';
import { rawInputData } from '../helpers/raw-input-data.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { inbound, TestChannel } from '../helpers/test-channel.js';

/** Large raw inputs and attachments are stored in pieces and read back whole (issue 17). */
let app: TestApp;
const channel = new TestChannel();

beforeAll(async () => {
  app = await startTestApp({ adapters: () => [channel] });
  await createCustomer(
    app.core,
    { name: 'Pezzi', status: 'active', identities: [{ kind: 'test', address: 'pezzi@example.test' }] },
    'test',
  );
});
afterAll(async () => {
  await app.close();
});

async function chunkCounts(messageId: string) {
  const { rows } = await app.database.sql.query<{ raw: number; files: number; raw_id: string }>(
    `select (select count(*)::int from raw_input_chunks c where c.raw_input_id = m.raw_input_id) as raw,
            (select count(*)::int from attachment_chunks c join attachments a on a.id = c.attachment_id
              where a.message_id = m.id) as files,
            m.raw_input_id::text as raw_id
       from messages m where m.id = $1`,
    [messageId],
  );
  return rows[0]!;
}

describe('values stored in pieces', () => {
  it('keeps a 3 MB raw input and attachments of every size whole, stored in pieces', async () => {
    const raw = randomBytes(3 * 1024 * 1024 + 17);
    const files = [
      randomBytes(10),
      randomBytes(STORE_CHUNK_BYTES),
      randomBytes(STORE_CHUNK_BYTES + 1),
      randomBytes(2 * 1024 * 1024 + 5),
    ];
    const outcome = await app.channelContext.ingest({
      ...inbound({
        from: 'pezzi@example.test',
        attachments: [
          ...files.map((content, i) => ({
            filename: `file-${i}.bin`,
            contentType: 'application/octet-stream',
            size: content.length,
            content,
          })),
          {
            filename: 'omitted.bin',
            contentType: 'application/octet-stream',
            size: 99_000_000,
            omittedReason: 'too big',
          },
        ],
      }),
      raw: { contentType: 'application/octet-stream', data: raw },
    });
    if (outcome.status !== 'new_ticket') throw new Error(`not a new ticket: ${outcome.status}`);
    const { rows } = await app.database.sql.query<{ id: string }>(
      "select id::text from messages where direction = 'inbound' and sender_address = 'pezzi@example.test'",
    );
    const messageId = rows[0]!.id;
    const counts = await chunkCounts(messageId);
    // Pieces after the first (which stays in the row): 3 MB + 17 bytes → 3 MB / piece.
    const piecesAfterFirst = (bytes: number) => Math.ceil(bytes / STORE_CHUNK_BYTES) - 1;
    expect(counts.raw).toBe(piecesAfterFirst(raw.length));
    expect(counts.raw).toBe((3 * 1024 * 1024) / STORE_CHUNK_BYTES);
    expect(counts.files).toBe(files.reduce((sum, file) => sum + piecesAfterFirst(file.length), 0));
    expect(Buffer.from((await rawInputData(app.database.sql, counts.raw_id))!).equals(raw)).toBe(true);
    const stored = await attachmentContents(app.database.sql, messageId);
    expect(stored.map((row) => row.filename)).toEqual(files.map((_, i) => `file-${i}.bin`));
    stored.forEach((row, i) => {
      expect(Buffer.from(row.content).equals(files[i]!), row.filename).toBe(true);
    });
    const response = await app.api(`/tickets/${outcome.ticketNumber}`);
    const body = (await response.json()) as {
      messages: Array<{ attachments: Array<{ filename: string; size: number; kept: boolean }> }>;
    };
    expect(body.messages[0]!.attachments.map((a) => [a.filename, a.kept])).toEqual([
      ...files.map((_, i) => [`file-${i}.bin`, true]),
      ['omitted.bin', false],
    ]);
  });

  it('keeps a failed input of several MB whole', async () => {
    const raw = randomBytes(1024 * 1024 + 3);
    await app.channelContext.recordFailedInput({
      channel: 'test',
      externalId: 'failed-big',
      raw: { contentType: 'application/octet-stream', data: raw },
      error: 'parse failed: test',
    });
    const { rows } = await app.database.sql.query<{ id: string; pieces: number }>(
      `select r.id::text, (select count(*)::int from raw_input_chunks c where c.raw_input_id = r.id) as pieces
         from raw_inputs r where external_id = 'failed-big'`,
    );
    expect(rows[0]!.pieces).toBe(Math.ceil(raw.length / STORE_CHUNK_BYTES) - 1);
    expect(Buffer.from((await rawInputData(app.database.sql, rows[0]!.id))!).equals(raw)).toBe(true);
  });
});
