import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../src/core/customers.js';
import { backoffMs } from '../../src/core/delivery.js';
import { deliveries, staffAlerts } from '../../src/db/schema.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { DeliveryError, inbound, TestChannel } from '../helpers/test-channel.js';

let app: TestApp;
let channel: TestChannel;
let email: TestChannel;
let n = 0;
/** Simulated time ahead of the wall clock, ms. */
let offset = 0;

async function customer() {
  n++;
  const address = `delivery${n}@example.test`;
  await createCustomer(
    app.core,
    { name: `C${n}`, status: 'active', identities: [{ kind: 'test', address }] },
    'test',
  );
  return address;
}

async function deliveryTo(address: string) {
  const rows = await app.database.db
    .select()
    .from(deliveries)
    .where(eq(deliveries.recipientAddress, address));
  return rows;
}

beforeAll(async () => {
  channel = new TestChannel();
  email = new TestChannel('email');
  app = await startTestApp({
    adapters: () => [channel, email],
    now: () => new Date(Date.now() + offset),
    settings: { autoReplyLimitPerHour: 3 },
  });
});
afterAll(async () => {
  await app.close();
});

describe('outbound delivery', () => {
  it('retries an adapter that fails twice and delivers once on the third attempt', async () => {
    const from = await customer();
    await app.settle();
    const attemptsBefore = channel.attempts;
    channel.failNext(new DeliveryError('transient', 'connection reset'), 2);
    await app.channelContext.ingest(inbound({ from }));
    await app.settle();
    expect(channel.sentTo(from)).toHaveLength(1);
    expect(channel.attempts - attemptsBefore).toBe(3);
    const [row] = await deliveryTo(from);
    expect(row).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
  });

  it('honours the retry delay a channel asks for', async () => {
    const from = await customer();
    await app.settle();
    channel.failNext(new DeliveryError('transient', 'Too Many Requests', { retryAfterMs: 700 }), 1);
    const started = Date.now();
    await app.channelContext.ingest(inbound({ from }));
    await app.settle();
    expect(channel.sentTo(from)).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
  });

  it('records a permanent failure with the reason and tells the technicians', async () => {
    const from = await customer();
    await app.settle();
    channel.failNext(new DeliveryError('permanent', '550 5.1.1 mailbox unavailable'), 1);
    await app.channelContext.ingest(inbound({ from }));
    await app.settle();
    expect(channel.sentTo(from)).toHaveLength(0);
    const [row] = await deliveryTo(from);
    expect(row).toMatchObject({ status: 'failed', attempts: 1, lastError: '550 5.1.1 mailbox unavailable' });
    const alerts = await app.database.db
      .select()
      .from(staffAlerts)
      .where(eq(staffAlerts.kind, 'delivery_failed'));
    expect(alerts.some((a) => a.text.includes(from) && a.text.includes('550 5.1.1'))).toBe(true);
  });

  it('marks a recipient that blocked us as unreachable', async () => {
    const from = await customer();
    await app.settle();
    channel.failNext(
      new DeliveryError('permanent', 'Forbidden: bot was blocked by the user', {
        recipientUnreachable: true,
      }),
    );
    await app.channelContext.ingest(inbound({ from }));
    await app.settle();
    const { rows } = await app.database.sql.query<{ unreachable_reason: string }>(
      'select unreachable_reason from identities where address = $1',
      [from],
    );
    expect(rows[0]!.unreachable_reason).toContain('blocked');
  });

  it('sends no email address more than the hourly limit of automatic mails', async () => {
    await app.settle();
    const mail = (from: string, forceNew = false) =>
      inbound({ from, channel: 'email', sender: { kind: 'email', address: from }, thread: { forceNew } });
    for (let i = 0; i < 6; i++) {
      await app.channelContext.ingest(mail('flood@unknown.test'));
      await app.channelContext.ingest(mail('flood@unknown.test', true));
    }
    n++;
    const from = `mailer${n}@example.test`;
    await createCustomer(
      app.core,
      { name: 'M', status: 'active', identities: [{ kind: 'email', address: from }] },
      't',
    );
    for (let i = 0; i < 6; i++) await app.channelContext.ingest(mail(from, true));
    // In a chat the limit does not apply: each new ticket is acknowledged.
    const chatter = await customer();
    for (let i = 0; i < 5; i++)
      await app.channelContext.ingest(inbound({ from: chatter, thread: { forceNew: true } }));
    await app.settle();
    expect(email.sentTo('flood@unknown.test')).toHaveLength(1);
    expect(email.sentTo(from)).toHaveLength(3);
    const rows = await deliveryTo(from);
    expect(rows.filter((r) => r.status === 'suppressed')).toHaveLength(3);
    expect(channel.sentTo(chatter)).toHaveLength(5);
  });

  // Moves the simulated clock two days ahead: runs last.
  it('keeps retrying for DELIVERY_MAX_AGE_HOURS, then fails for good', async () => {
    const from = await customer();
    await app.settle();
    channel.failNext(new DeliveryError('transient', 'timeout'), 1000);
    await app.channelContext.ingest(inbound({ from }));
    // A day of retries later it is still waiting for its next attempt.
    const waitFor = async (test: (row: typeof deliveries.$inferSelect) => boolean) => {
      for (let i = 0; i < 400; i++) {
        const [row] = await deliveryTo(from);
        if (row && test(row)) return row;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error('the delivery never got there');
    };
    await waitFor((row) => row.status === 'retrying' && row.attempts >= 2);
    offset += 24 * 3600_000;
    await app.sweepDeliveries();
    const dayLater = await waitFor((row) => row.attempts >= 3);
    expect(dayLater.status).not.toBe('failed');
    offset += 25 * 3600_000;
    await app.sweepDeliveries();
    const row = await waitFor((r) => r.status === 'failed');
    expect(row.lastError).toBe('timeout (gave up after 48 h of retries)');
    expect(channel.sentTo(from)).toHaveLength(0);
  });

  it('backs off exponentially with jitter, capped at an hour', () => {
    expect(backoffMs(1, 1000, () => 0.5)).toBe(1000);
    expect(backoffMs(2, 1000, () => 0.5)).toBe(2000);
    expect(backoffMs(4, 1000, () => 0.5)).toBe(8000);
    expect(backoffMs(30, 1000, () => 0.5)).toBe(3600_000);
    expect(backoffMs(3, 1000, () => 0)).toBe(3200);
    expect(backoffMs(3, 1000, () => 1)).toBe(4800);
  });
});
