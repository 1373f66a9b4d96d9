import { describe, expect, it } from 'vitest';
import { FakeSlack } from '../../helpers/fake-slack/fake-slack.js';
import { messageChanged, messageEvent } from '../../helpers/fake-slack/slack-events.js';
import { startSmtpCapture } from '../../helpers/smtp-capture.js';
import { startTestApp } from '../../helpers/test-app.js';
import { TestChannel } from '../../helpers/test-channel.js';
import {
  CHANNEL,
  emailCustomer,
  ingestMail,
  persistentStore,
  SmtpOnlyEmail,
  startSlackApp,
  TECH,
  TestClock,
} from './slack-kit.js';

/** What the technicians' channel shows when Slack comes on late, and edits an email cannot carry. */
describe('Slack catching up', () => {
  it('posts the card of a ticket opened while Slack was off, then staff alerts raised after it came on', async () => {
    const fake = new FakeSlack();
    await fake.start();
    const store = await persistentStore();
    const clock = new TestClock();
    const before = await startTestApp({ store, now: clock.now, adapters: () => [new TestChannel('email')] });
    let s: Awaited<ReturnType<typeof startSlackApp>> | undefined;
    try {
      const { address } = await emailCustomer(before);
      const opened = await ingestMail(before, {
        from: address,
        subject: 'Stampante ferma',
        text: 'Non stampa',
      });
      if (opened.status !== 'new_ticket') throw new Error(opened.status);
      // An alert from before Slack was on: history, not posted.
      await ingestMail(before, { from: 'sconosciuto@example.test', subject: 'Ciao', text: 'Prima' });
      await before.settle();
      await before.stop();
      s = await startSlackApp(fake, { mode: 'http', store, clock, others: () => [new TestChannel('email')] });
      const card = await fake.waitFor(() =>
        fake.messages.find((m) => !m.thread_ts && m.text.includes(`#${opened.ticketNumber}`)),
      );
      expect(JSON.stringify(card.blocks)).toContain('Non stampa');
      await ingestMail(s.app, { from: 'altro-sconosciuto@example.test', subject: 'Salve', text: 'Dopo' });
      const alert = await fake.waitFor(() =>
        fake.messages.find((m) => m.channel === CHANNEL && m.text.includes('altro-sconosciuto@example.test')),
      );
      expect(alert.text).toContain('unmatched_message');
      expect(fake.messages.filter((m) => m.text.includes('sconosciuto@example.test'))).toHaveLength(1);
      expect(fake.messages.filter((m) => !m.thread_ts && m.channel === CHANNEL)).toHaveLength(2);
      await s.app.settle();
    } finally {
      await s?.app.close();
      await store.drop();
      await fake.stop();
    }
    // Two starts on a store kept on disk: slow on a loaded machine, not a speed assertion.
  }, 120_000);

  it('tells the thread that an edit made after an email was sent does not reach the customer', async () => {
    const fake = new FakeSlack();
    await fake.start();
    fake.users.set(TECH, { display_name: 'Giulia', real_name: 'Giulia Bianchi' });
    const smtp = await startSmtpCapture();
    const s = await startSlackApp(fake, { mode: 'http', others: () => [new SmtpOnlyEmail(smtp)] });
    try {
      const { address } = await emailCustomer(s.app);
      await ingestMail(s.app, { from: address, subject: 'Rete lenta', text: 'Va piano' });
      const card = await fake.waitFor(() =>
        fake.messages.find((m) => !m.thread_ts && m.text.includes('Rete')),
      );
      await smtp.waitForMessages(1);
      smtp.clear();
      const reply = fake.userMessage({
        channel: CHANNEL,
        user: TECH,
        text: 'Riavvii il modem',
        thread_ts: card.ts,
      });
      await s.sendEvent(
        messageEvent({ channel: CHANNEL, user: TECH, text: reply.text, ts: reply.ts, thread_ts: card.ts }),
      );
      await fake.waitFor(() => reply.reactions.includes('white_check_mark'));
      await s.sendEvent(
        messageChanged({
          channel: CHANNEL,
          user: TECH,
          ts: reply.ts,
          thread_ts: card.ts,
          text: 'Riavvii il router',
        }),
      );
      const note = await fake.waitFor(() =>
        fake.thread(card.ts).find((m) => m.text.includes('the edit does not reach the customer')),
      );
      expect(note.text).toContain('email');
      await s.app.settle();
      expect(smtp.messages.map((m) => m.parsed.text)).toEqual([expect.stringContaining('Riavvii il modem')]);
    } finally {
      await s.app.close();
      await smtp.stop();
      await fake.stop();
    }
    // Starts the app in the test itself: slow on a loaded machine, not a speed assertion.
  }, 120_000);
});
