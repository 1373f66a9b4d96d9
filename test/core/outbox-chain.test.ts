import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverBatch } from '../../src/core/delivery.js';
import { DeliveryError } from '../../src/core/errors.js';
import { enqueueOutbound } from '../../src/core/outbound.js';
import { claimDelivery, retryDelivery } from '../../src/core/outbox/outbox.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { TestChannel } from '../helpers/test-channel.js';

/**
 * Several messages to one recipient queued together (the delivery bench's shape): one claim
 * statement for the batch, the recipient's later ones chained in creation order without jobs of
 * their own, and a retry never left without a job at its retry time.
 */
let app: TestApp;
const channel = new TestChannel();

beforeAll(async () => {
  // Workers off: each test runs the batch itself, as the job queue's handler does.
  app = await startTestApp({ adapters: () => [channel], workers: false });
});

afterAll(async () => {
  await app?.close();
});

async function queue(address: string, text: string): Promise<bigint> {
  const queued = await app.database.transaction((tx) =>
    enqueueOutbound(app.core, tx, {
      channel: 'test',
      recipient: { kind: 'test', address },
      automatic: false,
      content: { subject: text, text, html: `<p>${text}</p>` },
    }),
  );
  return queued.deliveryId!;
}

const waitingJobs = async (deliveryId: bigint) =>
  (
    await app.database.sql.query<{ start_after: Date }>(
      "select start_after from pgboss.job where name = 'delivery' and singleton_key = $1 and state = 'created'",
      [deliveryId.toString()],
    )
  ).rows;

const statusOf = async (id: bigint) =>
  (
    await app.database.sql.query<{ status: string }>('select status from deliveries where id = $1', [
      id.toString(),
    ])
  ).rows[0]!.status;

describe('a batch with several messages to one recipient', () => {
  it('sends them all in creation order from one batch, the later ones chained without jobs', async () => {
    const ids: bigint[] = [];
    for (const address of ['uno', 'due']) {
      for (let i = 0; i < 5; i++) ids.push(await queue(address, `${address} ${i}`));
    }
    // All ten jobs in one batch, newest first: only each recipient's oldest can be claimed.
    const retries = await deliverBatch(
      app.core,
      (name) => app.adapters.get(name),
      [...ids].reverse().map(String),
    );
    expect(retries).toEqual([undefined, undefined]);
    for (const address of ['uno', 'due']) {
      expect(channel.sentTo(address).map((m) => m.text)).toEqual(
        [0, 1, 2, 3, 4].map((i) => `${address} ${i}`),
      );
    }
    for (const id of ids) expect(await statusOf(id)).toBe('sent');
    // Nothing woke the chained ones with a job beyond the ones created with them.
    const { rows } = await app.database.sql.query<{ n: number }>(
      "select count(*)::int as n from pgboss.job where name = 'delivery' and state = 'created' and singleton_key = any($1::text[])",
      [`{${ids.join(',')}}`],
    );
    expect(rows[0]!.n).toBe(ids.length);
    // Those jobs now find their deliveries sent.
    await app.database.sql.query("delete from pgboss.job where name = 'delivery'");
  });

  it('a retry moves the delivery’s waiting job to the retry time instead of leaving it to the sweeper', async () => {
    const id = await queue('tre', 'riprova');
    // Its job from creation waits, due now; a chain claims the delivery first and the send fails.
    expect(await waitingJobs(id)).toHaveLength(1);
    const claim = await claimDelivery(app.core, id, 60_000);
    if (!claim.claimed) throw new Error('not claimed');
    const retryAt = new Date(app.core.now().getTime() + 30_000);
    await app.database.transaction((tx) => retryDelivery(app.core, tx, claim.delivery, 'giù', retryAt));
    const jobs = await waitingJobs(id);
    expect(jobs).toHaveLength(1);
    expect(Math.abs(new Date(jobs[0]!.start_after).getTime() - retryAt.getTime())).toBeLessThan(2_000);
    expect(await statusOf(id)).toBe('retrying');
  });

  it('a transient failure in a chain: the failed one retries with a job, the later ones wait behind it', async () => {
    const first = await queue('quattro', 'a');
    const second = await queue('quattro', 'b');
    const third = await queue('quattro', 'c');
    // The first send fails: the later ones wait behind it (creation order), with no job needed.
    const sent = channel.sentTo('quattro').length;
    await app.database.transaction(async (tx) => {
      await tx.sql.query(
        "delete from pgboss.job where name = 'delivery' and singleton_key = any($1::text[])",
        [`{${[second, third].join(',')}}`],
      );
    });
    channel.failNext(new DeliveryError('transient', 'peer busy'));
    const retries = await deliverBatch(app.core, (name) => app.adapters.get(name), [String(first)]);
    expect(retries[0]).toBeGreaterThan(0);
    expect(channel.sentTo('quattro').length).toBe(sent);
    expect(await statusOf(first)).toBe('retrying');
    expect(await statusOf(second)).toBe('queued');
    expect(await waitingJobs(first)).toHaveLength(1);
  });
});
