import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../helpers/fake-slack/fake-slack.js';
import { TestChannel } from '../../helpers/test-channel.js';
import { emailCustomer, ingestMail, type SlackTestApp, startSlackApp } from './slack-kit.js';

/** Slack's limits: pacing per channel, 429 Retry-After, outages, long texts. */
/**
 * The poster spaces its calls by this much; the fake sees them arrive with the scheduling jitter
 * of a loaded machine on top (a 300 ms pace once arrived 266 ms apart), so the test asserts at
 * least half the pace: an unpaced burst arrives a few ms apart.
 */
const PACE_MS = 600;

describe('Slack limits', () => {
  let fake: FakeSlack;
  let s: SlackTestApp;

  beforeEach(async () => {
    fake = new FakeSlack();
    await fake.start();
    s = await startSlackApp(fake, {
      mode: 'http',
      paceMs: PACE_MS,
      others: () => [new TestChannel('email')],
    });
  });
  afterEach(async () => {
    await s.app.close();
    await fake.stop();
  });

  it('waits for Retry-After on a 429, then posts the card once', async () => {
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const { address } = await emailCustomer(s.app);
    await ingestMail(s.app, { from: address, subject: 'Lento', text: 'Il PC è lento' });
    const card = await fake.waitFor(() => fake.messages.find((m) => m.text.includes('Lento')));
    const calls = fake.callsOf('chat.postMessage');
    expect(calls).toHaveLength(2);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(fake.messages.filter((m) => m.ts === card.ts)).toHaveLength(1);
  });

  it('paces posts into one channel and delivers, in order and once, what queued during an outage', async () => {
    const { address } = await emailCustomer(s.app);
    const opened = await ingestMail(s.app, { from: address, subject: 'Rete', text: 'Primo' });
    if (opened.status !== 'new_ticket') throw new Error(opened.status);
    const card = await fake.waitFor(() => fake.messages.find((m) => m.text.includes('Rete')));
    fake.failNext('chat.postMessage', { status: 500 }, 3);
    for (const text of ['Secondo', 'Terzo', 'Quarto']) {
      await ingestMail(s.app, { from: address, subject: 'Rete', ticketNumber: opened.ticketNumber, text });
    }
    await fake.waitFor(() => fake.thread(card.ts).length === 3);
    const shown = fake.thread(card.ts).map((m) => m.text.split('\n')[1]);
    expect(shown).toEqual(['Secondo', 'Terzo', 'Quarto']);
    const ok = fake.callsOf('chat.postMessage').slice(-3);
    for (let i = 1; i < ok.length; i += 1)
      expect(ok[i]!.at - ok[i - 1]!.at).toBeGreaterThanOrEqual(PACE_MS / 2);
  });

  it('shows a failing thread sync in /healthz until Slack works again', async () => {
    type Health = { status: string; channels: Record<string, Record<string, unknown>> };
    const health = async () => (await (await fetch(`${s.app.url}/healthz`)).json()) as Health;
    fake.failNext('chat.postMessage', { status: 500 }, 4);
    const { address } = await emailCustomer(s.app);
    await ingestMail(s.app, { from: address, subject: 'Guasto', text: 'Il server non risponde' });
    const failing = await fake.waitFor(async () => {
      const report = await health();
      return report.channels.slack?.state === 'degraded' ? report : undefined;
    });
    // The process is healthy (nothing to restart); the channel says what is failing.
    expect(failing.status).toBe('ok');
    expect(failing.channels.slack).toMatchObject({
      backgroundAttempts: expect.any(Number),
      backgroundError: expect.stringContaining('Slack thread sync'),
      backgroundFailingSince: expect.any(String),
    });
    await fake.waitFor(() => fake.messages.find((m) => m.text.includes('Guasto')), 20_000);
    const recovered = await fake.waitFor(async () => {
      const report = await health();
      return report.channels.slack?.state === 'up' ? report : undefined;
    });
    expect(recovered.channels.slack).toEqual({ state: 'up' });
  });

  it('uploads a message’s files once and before the next message when Slack fails half-way', async () => {
    const { address } = await emailCustomer(s.app);
    const opened = await ingestMail(s.app, { from: address, subject: 'Foto', text: 'Primo' });
    if (opened.status !== 'new_ticket') throw new Error(opened.status);
    const card = await fake.waitFor(() => fake.messages.find((m) => m.text.includes('Foto')));
    fake.failNext('files.getUploadURLExternal', { status: 500 });
    const file = (name: string, byte: number) => ({
      filename: name,
      contentType: 'image/png',
      size: 3,
      content: new Uint8Array([byte, byte, byte]),
    });
    await ingestMail(s.app, {
      from: address,
      subject: 'Foto',
      ticketNumber: opened.ticketNumber,
      text: 'Le foto',
      attachments: [file('a.png', 1), file('b.png', 2)],
    });
    await ingestMail(s.app, {
      from: address,
      subject: 'Foto',
      ticketNumber: opened.ticketNumber,
      text: 'Dopo',
    });
    const after = await fake.waitFor(() => fake.thread(card.ts).find((m) => m.text.includes('Dopo')));
    const uploaded = fake.files.filter((f) => f.thread_ts === card.ts);
    expect(uploaded.map((f) => [f.filename, [...f.bytes]])).toEqual([
      ['a.png', [1, 1, 1]],
      ['b.png', [2, 2, 2]],
    ]);
    const completed = fake.callsOf('files.completeUploadExternal').map((c) => c.at);
    const dopo = fake.callsOf('chat.postMessage').find((c) => String(c.args.text).includes('Dopo'))!;
    expect(Math.max(...completed)).toBeLessThanOrEqual(dopo.at);
    expect(after.thread_ts).toBe(card.ts);
  });

  it('posts and links a new card when the old one was deleted in Slack', async () => {
    const { address } = await emailCustomer(s.app);
    const opened = await ingestMail(s.app, { from: address, subject: 'Cancellata', text: 'Primo' });
    if (opened.status !== 'new_ticket') throw new Error(opened.status);
    const first = await fake.waitFor(() => fake.messages.find((m) => m.text.includes('Cancellata')));
    fake.failNext('chat.update', { status: 200, error: 'message_not_found' });
    await s.app.database.sql.query("update tickets set assignee = 'Paolo' where number = $1", [
      opened.ticketNumber,
    ]);
    const second = await fake.waitFor(() =>
      fake.messages.find((m) => !m.thread_ts && m.ts !== first.ts && m.text.includes('Cancellata')),
    );
    expect(JSON.stringify(second.blocks)).toContain('Paolo');
    await ingestMail(s.app, {
      from: address,
      subject: 'Cancellata',
      ticketNumber: opened.ticketNumber,
      text: 'Dopo',
    });
    await fake.waitFor(() => fake.thread(second.ts).find((m) => m.text.includes('Dopo')));
    expect(fake.thread(first.ts)).toHaveLength(0);
  });

  it('updates the card of a closed ticket once, to show it closed', async () => {
    const { address } = await emailCustomer(s.app);
    const opened = await ingestMail(s.app, { from: address, subject: 'Chiusura', text: 'Fatto?' });
    if (opened.status !== 'new_ticket') throw new Error(opened.status);
    const card = await fake.waitFor(() => fake.messages.find((m) => m.text.includes('Chiusura')));
    const closed = await s.app.api(`/tickets/${opened.ticketNumber}/status`, {
      body: { status: 'closed', author: 'Paolo' },
    });
    expect(closed.status).toBe(200);
    await fake.waitFor(() => JSON.stringify(card.blocks).includes('chiuso'));
    // The card's state is stored once chat.update has answered, a moment after the fake applied it.
    const cardState = async () =>
      (await s.app.database.sql.query<{ card_state: string }>('select card_state from slack_threads'))
        .rows[0]!.card_state;
    const deadline = Date.now() + 10_000;
    while (!(await cardState()).endsWith(':closed') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await cardState()).toMatch(/:closed$/);
    expect(JSON.stringify(card.blocks)).not.toContain('ticket_resolve');
  });

  it('splits a customer text over Slack’s limit into several thread messages, losing nothing', async () => {
    const { address } = await emailCustomer(s.app);
    const opened = await ingestMail(s.app, { from: address, subject: 'Log', text: 'Vedi sotto' });
    if (opened.status !== 'new_ticket') throw new Error(opened.status);
    const card = await fake.waitFor(() => fake.messages.find((m) => m.text.includes('Log')));
    const paragraphs = Array.from({ length: 60 }, (_, i) => `Riga ${i} ${'x'.repeat(150)} <script>`);
    await ingestMail(s.app, {
      from: address,
      subject: 'Log',
      ticketNumber: opened.ticketNumber,
      text: paragraphs.join('\n\n'),
    });
    await fake.waitFor(() => fake.thread(card.ts).length >= 3);
    const posted = fake.thread(card.ts);
    expect(posted.every((m) => m.text.length <= 3900)).toBe(true);
    const joined = posted.map((m) => m.text).join('\n');
    for (let i = 0; i < 60; i += 1) expect(joined).toContain(`Riga ${i} `);
    expect(joined).not.toContain('<script>');
    expect(joined).toContain('&lt;script&gt;');
  });
});
