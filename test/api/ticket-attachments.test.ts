import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCustomer } from '../../src/core/customers.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { inbound, TestChannel } from '../helpers/test-channel.js';

/** Reading a ticket shows its attachments' metadata and never reads their bytes from the store. */
let app: TestApp;
const channel = new TestChannel();

beforeAll(async () => {
  app = await startTestApp({ adapters: () => [channel] });
  await createCustomer(
    app.core,
    { name: 'Allegati', status: 'active', identities: [{ kind: 'test', address: 'allegati@example.test' }] },
    'test',
  );
});
afterAll(async () => {
  await app.close();
});

describe('ticket attachments in the API', () => {
  it('lists kept and omitted attachments with their sizes without selecting their contents', async () => {
    const big = new Uint8Array(3 * 1024 * 1024).fill(7);
    const outcome = await app.channelContext.ingest(
      inbound({
        from: 'allegati@example.test',
        attachments: [
          { filename: 'foto.jpg', contentType: 'image/jpeg', size: big.length, content: big },
          {
            filename: 'video.mp4',
            contentType: 'video/mp4',
            size: 80_000_000,
            omittedReason: 'over the 10 MB limit per file',
          },
        ],
      }),
    );
    if (outcome.status !== 'new_ticket') throw new Error(`not a new ticket: ${outcome.status}`);
    const select = vi.spyOn(app.database.db, 'select');
    const response = await app.api(`/tickets/${outcome.ticketNumber}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      messages: Array<{
        attachments: Array<{ filename: string; size: number; kept: boolean; omittedReason: string | null }>;
      }>;
    };
    expect(body.messages[0]!.attachments).toEqual([
      expect.objectContaining({ filename: 'foto.jpg', size: big.length, kept: true, omittedReason: null }),
      expect.objectContaining({ filename: 'video.mp4', size: 80_000_000, kept: false }),
    ]);
    expect(JSON.stringify(body)).not.toContain('"content"');
    // Every select of the request named its columns, and none of them is the attachment bytes.
    const selections = select.mock.calls.map((call) => call[0] as Record<string, unknown> | undefined);
    const attachmentSelection = selections.find((fields) => fields && 'kept' in fields);
    expect(attachmentSelection).toBeDefined();
    expect(Object.keys(attachmentSelection!)).not.toContain('content');
    select.mockRestore();
  });
});
