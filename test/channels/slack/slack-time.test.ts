import { describe, expect, it } from 'vitest';
import { blockAction, slashCommand } from '../../helpers/fake-slack/slack-events.js';
import { CHANNEL, emailCustomer, ingestMail, TECH, useSlackWithMail } from './slack-kit.js';

/** Time tracking from Slack (#24): the command, the card's buttons, the summaries in the thread. */
describe('Slack: time, timers and hour summaries', () => {
  const slack = useSlackWithMail({ perFile: true });

  const command = async (text: string) => {
    const before = slack.fake.responses.length;
    await slack.s.post(
      slashCommand({
        command: '/helpdesk',
        text,
        user: TECH,
        channel: CHANNEL,
        responseUrl: slack.fake.responseUrl(),
      }),
      { form: true },
    );
    return (await slack.fake.waitFor(() => slack.fake.responses[before])).text as string;
  };
  const press = async (actionId: string, number: number, messageTs: string) => {
    const before = slack.fake.ephemerals.length;
    await slack.s.post(
      {
        payload: JSON.stringify(
          blockAction({ user: TECH, channel: CHANNEL, messageTs, actionId, value: String(number) }),
        ),
      },
      { form: true },
    );
    return (await slack.fake.waitFor(() => slack.fake.ephemerals[before])).text;
  };

  it('logs time, runs a timer, posts the running summary, and the final one reaches the customer on resolve', async () => {
    const { address } = await emailCustomer(slack.s.app, { name: 'Ferri' });
    const outcome = await ingestMail(slack.s.app, {
      from: address,
      subject: 'Rete',
      text: 'Internet non va',
    });
    if (outcome.status !== 'new_ticket') throw new Error(outcome.status);
    const number = outcome.ticketNumber;
    const card = await slack.fake.waitFor(() =>
      slack.fake.messages.find((m) => m.channel === CHANNEL && !m.thread_ts && m.text.includes(`#${number}`)),
    );
    const blocks = JSON.stringify(card.blocks);
    expect(blocks).toContain('ticket_timer_start');
    expect(blocks).toContain('ticket_timer_stop');
    await slack.smtp.waitForMessages(1);
    slack.smtp.clear();

    expect(await press('ticket_log_time', number, card.ts)).toContain(`/helpdesk time ${number} 1h30`);
    expect(await command(`time ${number} tanto`)).toContain('Uso: /helpdesk time N 1h30');
    expect(await command(`time ${number} 1h30 riconfigurato il router`)).toBe(
      `Registrati 1 h 30 min da remoto sul ticket #${number}. / Time logged on ticket #${number}.`,
    );
    await slack.fake.waitFor(() =>
      slack.fake
        .thread(card.ts)
        .find((m) => m.text.includes('Giulia ha registrato 1 h 30 min da remoto: riconfigurato')),
    );
    expect(await command(`time ${number} 10m telefono gratis richiamata`)).toContain('non fatturabile');

    expect(await press('ticket_timer_start', number, card.ts)).toContain('Timer avviato');
    expect(await press('ticket_timer_start', number, card.ts)).toContain('already has a timer running');
    slack.s.clock.advance(29 * 60_000 + 30_000);
    expect(await press('ticket_timer_stop', number, card.ts)).toBe(
      `Timer fermato: 30 min registrati sul ticket #${number}. / Timer stopped: 30 min logged.`,
    );

    expect(await command(`summary ${number}`)).toContain('pubblicato nel thread');
    const running = await slack.fake.waitFor(() =>
      slack.fake.thread(card.ts).find((m) => m.text.includes('Riepilogo ore provvisorio')),
    );
    // 1 h 30 min + 30 min remote billable, 10 min phone free: 2 h at € 30 = € 60,00 + € 13,20.
    expect(running.text).toContain(':receipt:');
    expect(running.text).toContain('Imponibile: € 60,00');
    expect(slack.smtp.messages).toHaveLength(0);

    expect(await command(`resolve ${number}`)).toContain('risolto');
    const [mail] = await slack.smtp.waitForMessages(1);
    expect(mail!.envelope.to).toEqual([address]);
    expect(mail!.parsed.text).toContain(`Riepilogo ore del ticket n. ${number}`);
    expect(mail!.parsed.text).toContain('telefono: 10 min (non addebitato)');
    expect(mail!.parsed.text).toContain('Imponibile: € 60,00\nIVA 22%: € 13,20\nTotale: € 73,20');
    await slack.fake.waitFor(() =>
      slack.fake.thread(card.ts).find((m) => m.text.includes(`Riepilogo ore del ticket n. ${number}`)),
    );
  });
});
