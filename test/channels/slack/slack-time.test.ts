import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../../helpers/fake-slack/fake-slack.js';
import { blockAction, slashCommand } from '../../helpers/fake-slack/slack-events.js';
import { type SmtpCapture, startSmtpCapture } from '../../helpers/smtp-capture.js';
import {
  CHANNEL,
  emailCustomer,
  ingestMail,
  type SlackTestApp,
  SmtpOnlyEmail,
  startSlackApp,
  TECH,
} from './slack-kit.js';

/** Time tracking from Slack (#24): the command, the card's buttons, the summaries in the thread. */
describe('Slack: time, timers and hour summaries', () => {
  let fake: FakeSlack;
  let smtp: SmtpCapture;
  let s: SlackTestApp;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    fake = new FakeSlack();
    await fake.start();
    fake.users.set(TECH, { display_name: 'Giulia', real_name: 'Giulia Bianchi' });
    s = await startSlackApp(fake, { mode: 'http', others: () => [new SmtpOnlyEmail(smtp)] });
  });
  afterAll(async () => {
    await s.app.close();
    await fake.stop();
    await smtp.stop();
  });

  const command = async (text: string) => {
    const before = fake.responses.length;
    await s.post(
      slashCommand({
        command: '/helpdesk',
        text,
        user: TECH,
        channel: CHANNEL,
        responseUrl: fake.responseUrl(),
      }),
      { form: true },
    );
    return (await fake.waitFor(() => fake.responses[before])).text as string;
  };
  const press = async (actionId: string, number: number, messageTs: string) => {
    const before = fake.ephemerals.length;
    await s.post(
      {
        payload: JSON.stringify(
          blockAction({ user: TECH, channel: CHANNEL, messageTs, actionId, value: String(number) }),
        ),
      },
      { form: true },
    );
    return (await fake.waitFor(() => fake.ephemerals[before])).text;
  };

  it('logs time, runs a timer, posts the running summary, and the final one reaches the customer on resolve', async () => {
    const { address } = await emailCustomer(s.app, { name: 'Ferri' });
    const outcome = await ingestMail(s.app, { from: address, subject: 'Rete', text: 'Internet non va' });
    if (outcome.status !== 'new_ticket') throw new Error(outcome.status);
    const number = outcome.ticketNumber;
    const card = await fake.waitFor(() =>
      fake.messages.find((m) => m.channel === CHANNEL && !m.thread_ts && m.text.includes(`#${number}`)),
    );
    const blocks = JSON.stringify(card.blocks);
    expect(blocks).toContain('ticket_timer_start');
    expect(blocks).toContain('ticket_timer_stop');
    await smtp.waitForMessages(1);
    smtp.clear();

    expect(await press('ticket_log_time', number, card.ts)).toContain(`/helpdesk time ${number} 1h30`);
    expect(await command(`time ${number} tanto`)).toContain('Uso: /helpdesk time N 1h30');
    expect(await command(`time ${number} 1h30 riconfigurato il router`)).toBe(
      `Registrati 1 h 30 min da remoto sul ticket #${number}.`,
    );
    await fake.waitFor(() =>
      fake
        .thread(card.ts)
        .find((m) => m.text.includes('Giulia ha registrato 1 h 30 min da remoto: riconfigurato')),
    );
    expect(await command(`time ${number} 10m telefono gratis richiamata`)).toContain('non fatturabile');

    expect(await press('ticket_timer_start', number, card.ts)).toContain('Timer avviato');
    expect(await press('ticket_timer_start', number, card.ts)).toContain('already has a timer running');
    s.clock.advance(29 * 60_000 + 30_000);
    expect(await press('ticket_timer_stop', number, card.ts)).toBe(
      `Timer fermato: 30 min registrati sul ticket #${number}.`,
    );

    expect(await command(`summary ${number}`)).toContain('pubblicato nel thread');
    const running = await fake.waitFor(() =>
      fake.thread(card.ts).find((m) => m.text.includes('Riepilogo ore provvisorio')),
    );
    // 1 h 30 min + 30 min remote billable, 10 min phone free: 2 h at € 30 = € 60,00 + € 13,20.
    expect(running.text).toContain(':receipt:');
    expect(running.text).toContain('Imponibile: € 60,00');
    expect(smtp.messages).toHaveLength(0);

    expect(await command(`resolve ${number}`)).toContain('risolto');
    const [mail] = await smtp.waitForMessages(1);
    expect(mail!.envelope.to).toEqual([address]);
    expect(mail!.parsed.text).toContain(`Riepilogo ore del ticket n. ${number}`);
    expect(mail!.parsed.text).toContain('telefono: 10 min (non addebitato)');
    expect(mail!.parsed.text).toContain('Imponibile: € 60,00\nIVA 22%: € 13,20\nTotale: € 73,20');
    await fake.waitFor(() =>
      fake.thread(card.ts).find((m) => m.text.includes(`Riepilogo ore del ticket n. ${number}`)),
    );
  });
});
