import { describe, expect, it } from 'vitest';
import type { ChannelAdapter, OutboundMessage, SendResult } from '../../src/core/channel.js';
import { enqueueOutbound } from '../../src/core/outbound.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { createPersistentTestStore } from '../helpers/test-database.js';

/**
 * A peer that takes `sendMs` per send: 700 ms until the stop (20 of them outlast the queue's 10 s
 * graceful stop, so a stop that went on with the chain would show), quicker after the restart,
 * where only the count and order of the sends matter.
 */
class SlowPeer implements ChannelAdapter {
  readonly name = 'test' as const;
  readonly accepted: Array<{ deliveryId: string; maybeSent?: boolean }> = [];
  /** How long each send takes, in milliseconds. */
  sendMs = 700;
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async send(message: OutboundMessage): Promise<SendResult> {
    await new Promise((resolve) => setTimeout(resolve, this.sendMs));
    this.accepted.push({ deliveryId: message.deliveryId, maybeSent: message.maybeSent });
    return { externalId: `x-${message.deliveryId}` };
  }
}

async function queue(app: TestApp, text: string): Promise<void> {
  await app.database.transaction((tx) =>
    enqueueOutbound(app.core, tx, {
      channel: 'test',
      recipient: { kind: 'test', address: 'lungo' },
      automatic: false,
      content: { subject: text, text, html: text },
    }),
  );
  app.core.jobs.wake();
}

describe('a clean stop while a recipient has a long chain of sends', () => {
  it('starts no new send, leaves nothing leased, and after a restart sends each message once, in order', async () => {
    // A data directory when embedded, so the restart sees the same store.
    const store = await createPersistentTestStore('outbox-stop-');
    const peer = new SlowPeer();
    let app = await startTestApp({ store, adapters: () => [peer] });
    for (let i = 0; i < 20; i++) await queue(app, `messaggio ${i}`);
    while (peer.accepted.length < 2) await new Promise((resolve) => setTimeout(resolve, 50));
    await app.stop();
    const acceptedAtStop = peer.accepted.length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(peer.accepted.length).toBe(acceptedAtStop);

    // A long lease: anything left leased would wait for it and fail the settle below.
    peer.sendMs = 20;
    app = await startTestApp({ store, adapters: () => [peer], settings: { deliveryLeaseMs: 600_000 } });
    try {
      await app.settle(30_000);
      const ids = peer.accepted.map((a) => a.deliveryId);
      expect(new Set(ids).size).toBe(20);
      expect(ids).toHaveLength(20);
      expect(ids.map(Number)).toEqual([...ids.map(Number)].sort((a, b) => a - b));
      expect(peer.accepted.filter((a) => a.maybeSent)).toEqual([]);
    } finally {
      await app.stop();
      await store.drop();
    }
  }, 60_000);
});
