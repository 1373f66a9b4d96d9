import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../src/core/customers.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { inbound, TestChannel } from '../helpers/test-channel.js';

/** Messages sent together (`groupKey`) in the core, whatever the channel. */

let app: TestApp;
let channel: TestChannel;
let n = 0;

async function customer(): Promise<string> {
  n++;
  const address = `album${n}@example.test`;
  await createCustomer(
    app.core,
    { name: `Cliente album ${n}`, status: 'active', identities: [{ kind: 'test', address }] },
    'test',
  );
  return address;
}

const file = (name: string, content?: string) => ({
  filename: name,
  contentType: 'image/jpeg',
  size: content?.length ?? 90_000_000,
  ...(content === undefined
    ? { omittedReason: 'larger than the 10 MB limit' }
    : { content: Buffer.from(content) }),
});

beforeAll(async () => {
  channel = new TestChannel();
  app = await startTestApp({ adapters: () => [channel] });
});
afterAll(async () => {
  await app.close();
});

describe('album parts', () => {
  it('adds later parts to the first one, tells about an over-size file once per part, and answers nothing else', async () => {
    const from = await customer();
    const head = await app.channelContext.ingest(
      inbound({
        from,
        groupKey: 'chat:1',
        newText: 'Foto',
        fullText: 'Foto',
        attachments: [file('a.jpg', 'a')],
      }),
    );
    expect(head.status).toBe('new_ticket');
    const part = await app.channelContext.ingest(
      inbound({ from, groupKey: 'chat:1', newText: '', fullText: '', attachments: [file('b.jpg')] }),
    );
    expect(part).toMatchObject({ status: 'album_part', albumMessageId: head.messageId });
    await app.settle();
    const sent = channel.sentTo(from);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.text).toContain('- b.jpg');
    const { rows } = await app.database.sql.query<{ filename: string; kept: boolean }>(
      'select filename, content is not null as kept from attachments where message_id = $1 order by id',
      [head.messageId],
    );
    expect(rows).toEqual([
      { filename: 'a.jpg', kept: true },
      { filename: 'b.jpg', kept: false },
    ]);
  });

  it("never lets another sender's message join an album, even with the same key", async () => {
    const owner = await customer();
    const other = await customer();
    const first = await app.channelContext.ingest(inbound({ from: owner, groupKey: 'chat:2' }));
    const intruder = await app.channelContext.ingest(
      inbound({
        from: other,
        groupKey: 'chat:2',
        newText: 'Intruso',
        fullText: 'Intruso',
        attachments: [file('x.jpg', 'x')],
      }),
    );
    expect(intruder.status).toBe('new_ticket');
    if (first.status !== 'new_ticket' || intruder.status !== 'new_ticket') return;
    expect(intruder.ticketId).not.toBe(first.ticketId);
    const { rows } = await app.database.sql.query<{ n: number }>(
      'select count(*)::int as n from attachments where message_id = $1',
      [first.messageId],
    );
    expect(rows[0]!.n).toBe(0);
  });

  it('stores a repeated part once and the first part again as a duplicate', async () => {
    const from = await customer();
    const head = inbound({ from, groupKey: 'chat:3' });
    const part = inbound({
      from,
      groupKey: 'chat:3',
      newText: 'dopo',
      fullText: 'dopo',
      attachments: [file('c.jpg', 'c')],
    });
    const stored = await app.channelContext.ingest(head);
    await app.channelContext.ingest(part);
    expect((await app.channelContext.ingest(part)).status).toBe('duplicate');
    expect((await app.channelContext.ingest(head)).status).toBe('duplicate');
    const { rows } = await app.database.sql.query<{ new_text: string; files: number }>(
      'select new_text, (select count(*)::int from attachments where message_id = m.id) as files from messages m where id = $1',
      [stored.messageId],
    );
    expect(rows[0]).toEqual({ new_text: 'La stampante non stampa più.\n\ndopo', files: 1 });
  });
});
