import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpSender } from '../../src/channels/email/smtp-sender.js';
import { TelegramAdapter } from '../../src/channels/telegram/telegram-adapter.js';
import type { ChannelAdapter, ChannelName, OutboundMessage } from '../../src/core/channel.js';
import { deliver } from '../../src/core/delivery.js';
import { enqueueOutbound } from '../../src/core/outbound.js';
import { claimDelivery } from '../../src/core/outbox/outbox.js';
import { deliveries, staffAlerts } from '../../src/db/schema.js';
import { FakeTelegramApi, telegramErrors } from '../helpers/fake-telegram-api.js';
import { type SmtpCapture, startSmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * The outbox against real peers: the real grammY adapter against the fake Bot API, and the real
 * SMTP sender (nodemailer) against smtp-server. Time is simulated: `offset` moves the app's clock
 * ahead of the wall clock, and a sweep then runs what became due.
 */
let app: TestApp;
let fake: FakeTelegramApi;
let capture: SmtpCapture;
let smtpPort: number;
let offset = 0;
let chat = 800_000;

/** The SMTP half of the email channel (receiving mail is not what these tests are about). */
class SmtpOnlyEmail implements ChannelAdapter {
  readonly name = 'email' as const;
  constructor(private readonly sender: SmtpSender) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {
    this.sender.close();
  }
  send(message: OutboundMessage) {
    return this.sender.send(message);
  }
}

beforeAll(async () => {
  fake = await FakeTelegramApi.start();
  capture = await startSmtpCapture();
  smtpPort = capture.port;
  app = await startTestApp({
    now: () => new Date(Date.now() + offset),
    adapters: (_context, core) => [
      new TelegramAdapter({
        settings: { token: fake.token, apiRoot: fake.apiRoot, sendTimeoutSeconds: 10 },
        core,
        pollTimeoutSeconds: 1,
      }),
      new SmtpOnlyEmail(
        new SmtpSender({
          host: '127.0.0.1',
          port: smtpPort,
          secure: false,
          from: 'assistenza@helpdesk.test',
          sendTimeoutMs: 10_000,
        }),
      ),
    ],
  });
});

afterAll(async () => {
  await app?.close();
  await capture?.stop();
  await fake?.close();
});

/** Queues one message to `address` as the app does, and returns its delivery id. */
async function send(channel: ChannelName, address: string, text: string): Promise<bigint> {
  const queued = await app.database.transaction((tx) =>
    enqueueOutbound(app.core, tx, {
      channel,
      recipient: { kind: channel === 'email' ? 'email' : 'telegram', address },
      automatic: false,
      conversationId: channel === 'telegram' ? address : undefined,
      content: { subject: text, text, html: `<p>${text}</p>` },
    }),
  );
  app.core.jobs.wake();
  return queued.deliveryId;
}

async function row(id: bigint) {
  const [found] = await app.database.db.select().from(deliveries).where(eq(deliveries.id, id));
  return found!;
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) {
      const { rows } = await app.database.sql.query(
        `select d.id, status, attempts, next_attempt_at, last_error, (select json_agg(json_build_object('state', j.state, 'start', j.start_after)) from pgboss.job j where j.singleton_key = d.id::text) as jobs
         from deliveries d where status in ('queued', 'retrying', 'sending') order by d.id`,
      );
      throw new Error(
        `timed out waiting for ${what}; now ${app.core.now().toISOString()}; ${JSON.stringify(rows)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until no pending delivery is due or in flight on the simulated clock. */
async function quiet(): Promise<void> {
  await until('the workers to finish what is due', async () => {
    const { rows } = await app.database.sql.query<{ n: number }>(
      `select count(*)::int as n from deliveries where status = 'sending'
         or (status in ('queued', 'retrying') and coalesce(next_attempt_at, '-infinity') <= $1
             and not exists (select 1 from deliveries o where o.channel = deliveries.channel
               and o.recipient_address = deliveries.recipient_address and o.id < deliveries.id
               and o.status in ('queued', 'retrying', 'sending')))`,
      [app.core.now()],
    );
    return rows[0]!.n === 0;
  });
}

const mailsWith = (subject: string) => capture.messages.filter((m) => m.parsed.subject === subject);

describe('one send in flight per delivery', () => {
  it('a slow SMTP server and a job handed out again: the mail is sent once', async () => {
    capture.holdNext(1500);
    const id = await send('email', 'lento@example.test', 'Consegna lenta');
    await until('the send to start', async () => (await row(id)).status === 'sending');
    // What pg-boss does after a job's expiry, and what a second worker does: run it again.
    await app.database.transaction((tx) => app.queue.enqueueDelivery(tx, id.toString()));
    app.queue.wake();
    const second = await deliver(app.core, (name) => app.adapters.get(name), id.toString());
    expect(second).toBeUndefined();
    await app.settle();
    expect(mailsWith('Consegna lenta')).toHaveLength(1);
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('a slow Telegram API and a second worker: the message is sent once', async () => {
    const chatId = String(++chat);
    fake.holdNext('sendMessage', 1500);
    const id = await send('telegram', chatId, 'Messaggio lento');
    await until('the send to start', async () => (await row(id)).status === 'sending');
    await deliver(app.core, (name) => app.adapters.get(name), id.toString());
    await app.database.transaction((tx) => app.queue.enqueueDelivery(tx, id.toString()));
    app.queue.wake();
    await app.settle();
    const sent = fake.sent.filter((c) => c.method === 'sendMessage' && String(c.params.chat_id) === chatId);
    expect(sent).toHaveLength(1);
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('a worker that died mid-send: after its lease the mail goes out once, same Message-ID', async () => {
    // Claim it as a worker would, then "die": no send, no record.
    const paused = await app.database.transaction(async (tx) => {
      const queued = await enqueueOutbound(app.core, tx, {
        channel: 'email',
        recipient: { kind: 'email', address: 'morto@example.test' },
        automatic: false,
        content: { subject: 'Lavoratore morto', text: 'Testo', html: '<p>Testo</p>' },
      });
      // Its job is claimed by the dead worker too: remove it so only the sweeper can find it.
      await tx.sql.query(`delete from pgboss.job where singleton_key = $1`, [queued.deliveryId.toString()]);
      return queued.deliveryId;
    });
    const claim = await claimDelivery(app.core, paused, app.core.settings.deliveryLeaseMs);
    expect(claim.claimed).toBe(true);
    const before = app.channelHealth.expiredLeases;
    // Within the lease nobody touches it.
    expect((await app.sweepDeliveries()).due).toBe(0);
    offset += app.core.settings.deliveryLeaseMs + 1000;
    const report = await app.sweepDeliveries();
    expect(report).toMatchObject({ expiredLeases: 1, requeued: 1 });
    await app.settle();
    const mails = mailsWith('Lavoratore morto');
    expect(mails).toHaveLength(1);
    const stored = await row(paused);
    expect(stored).toMatchObject({ status: 'sent', attempts: 2 });
    expect(mails[0]!.parsed.messageId).toBe(stored.externalId);
    expect(app.channelHealth.expiredLeases).toBe(before + 1);
  });
});

describe('retries', () => {
  it('honours Telegram retry_after: nothing is sent again before it', async () => {
    const chatId = String(++chat);
    fake.failNext('sendMessage', telegramErrors.tooManyRequests(40));
    const id = await send('telegram', chatId, 'Troppe richieste');
    await until('the 429', async () => (await row(id)).status === 'retrying');
    const waiting = await row(id);
    expect(waiting.nextAttemptAt!.getTime() - app.core.now().getTime()).toBeGreaterThan(38_000);
    // A job run early (sweep, re-delivered job) finds it not due and leaves it.
    await deliver(app.core, (name) => app.adapters.get(name), id.toString());
    offset += 20_000;
    await app.sweepDeliveries();
    await quiet();
    const calls = () =>
      fake.calls.filter((c) => c.method === 'sendMessage' && String(c.params.chat_id) === chatId);
    expect(calls()).toHaveLength(1);
    offset += 21_000;
    await app.sweepDeliveries();
    await app.settle();
    expect(calls().map((c) => c.ok)).toEqual([false, true]);
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('SMTP down for six hours, then back: every mail delivered once, in order per recipient', async () => {
    await capture.stop();
    const alertsBefore = await app.database.db.select().from(staffAlerts);
    const ids: Array<{ id: bigint; to: string; subject: string }> = [];
    for (let i = 1; i <= 4; i++) {
      for (const to of ['anna@example.test', 'bruno@example.test']) {
        const subject = `Guasto ${to.split('@')[0]} ${i}`;
        ids.push({ id: await send('email', to, subject), to, subject });
      }
    }
    await quiet();
    for (let step = 0; step < 12; step++) {
      offset += 30 * 60_000;
      await app.sweepDeliveries();
      await quiet();
    }
    for (const { id } of ids) expect((await row(id)).status).not.toBe('failed');
    expect((await row(ids[0]!.id)).attempts).toBeGreaterThan(5);
    // Later mails waited behind the first of their recipient: never attempted.
    expect((await row(ids.at(-1)!.id)).attempts).toBe(0);
    const health = await (await fetch(`${app.url}/healthz`)).json();
    expect(health.channels.email.state).toBe('down');
    // The backlog's age: the later mails have waited the whole six hours.
    expect(health.channels.email.oldestDueSeconds).toBeGreaterThanOrEqual(6 * 3600);

    capture = await startSmtpCapture({ port: smtpPort });
    offset += 3600_000;
    await app.sweepDeliveries();
    await app.settle(20_000);
    for (const to of ['anna@example.test', 'bruno@example.test']) {
      const got = capture.messages.filter((m) => m.envelope.to.includes(to)).map((m) => m.parsed.subject);
      expect(got).toEqual(ids.filter((d) => d.to === to).map((d) => d.subject));
    }
    const alerts = (await app.database.db.select().from(staffAlerts)).slice(alertsBefore.length);
    expect(alerts.filter((a) => a.kind === 'channel_down')).toHaveLength(1);
    expect(alerts.filter((a) => a.kind === 'channel_recovered')).toHaveLength(1);
    expect(alerts.filter((a) => a.kind === 'delivery_failed')).toHaveLength(0);
    const after = await (await fetch(`${app.url}/healthz`)).json();
    expect(after.channels.email.state).toBe('up');
  });
});

describe('sweeper', () => {
  it('finds a delivery whose job was deleted, and lists it as stuck meanwhile', async () => {
    const id = await app.database.transaction(async (tx) => {
      const queued = await enqueueOutbound(app.core, tx, {
        channel: 'email',
        recipient: { kind: 'email', address: 'orfano@example.test' },
        automatic: false,
        content: { subject: 'Senza job', text: 'Testo', html: '<p>Testo</p>' },
      });
      await tx.sql.query(`delete from pgboss.job where singleton_key = $1`, [queued.deliveryId.toString()]);
      return queued.deliveryId;
    });
    offset += 5 * 60_000;
    const stuck = await (await app.api('/deliveries?status=stuck')).json();
    expect(stuck.deliveries.map((d: { id: string }) => d.id)).toContain(id.toString());
    const health = await (await fetch(`${app.url}/healthz`)).json();
    expect(health.channels.email.state).toBe('degraded');
    expect(health.channels.email.oldestDueSeconds).toBeGreaterThanOrEqual(300);
    const report = await app.sweepDeliveries();
    expect(report.requeued).toBe(1);
    // A second sweep doubles nothing: the job exists.
    expect((await app.sweepDeliveries()).requeued).toBe(0);
    await app.settle();
    expect(mailsWith('Senza job')).toHaveLength(1);
    const { rows } = await app.database.sql.query<{ n: number }>(
      'select count(*)::int as n from pgboss.job where singleton_key = $1',
      [id.toString()],
    );
    expect(rows[0]!.n).toBe(1);
  });

  it('rejects an unknown status filter with the list of valid ones', async () => {
    const response = await app.api('/deliveries?status=lost');
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('suppressed');
  });
});
