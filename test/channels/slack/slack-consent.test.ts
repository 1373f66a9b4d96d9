import { describe, expect, it } from 'vitest';
import { createCustomer } from '../../../src/core/customers.js';
import { blockAction, messageEvent, slashCommand } from '../../helpers/fake-slack/slack-events.js';
import { CHANNEL, emailCustomer, ingestMail, OUTSIDER, TECH, useSlackWithMail } from './slack-kit.js';

/**
 * Consent driven from Slack (the card's button and `/helpdesk`), for an email customer: the
 * request by mail, the outcome in the thread, the credentials shown to the technician alone.
 */
describe('consent from Slack', () => {
  const slack = useSlackWithMail();

  async function command(text: string) {
    const before = slack.fake.responses.length;
    const response = await slack.s.post(
      slashCommand({
        command: '/helpdesk',
        text,
        user: TECH,
        channel: CHANNEL,
        responseUrl: slack.fake.responseUrl(),
      }),
      { form: true },
    );
    expect(response.status).toBe(200);
    return (await slack.fake.waitFor(() => slack.fake.responses[before])).text;
  }

  it('button asks by mail; a yes and the credentials reach the technician privately; /helpdesk session runs it', async () => {
    const { address } = await emailCustomer(slack.s.app);
    const outcome = await ingestMail(slack.s.app, {
      from: address,
      subject: 'PC lento',
      text: 'Il PC è lento',
    });
    if (outcome.status !== 'new_ticket') throw new Error(outcome.status);
    const number = outcome.ticketNumber;
    const card = await slack.fake.waitFor(() =>
      slack.fake.messages.find((m) => m.channel === CHANNEL && !m.thread_ts && m.text.includes(`#${number}`)),
    );
    await slack.smtp.waitForMessages(1);
    slack.smtp.clear();

    await slack.s.post(
      {
        payload: JSON.stringify(
          blockAction({
            user: TECH,
            channel: CHANNEL,
            messageTs: card.ts,
            actionId: 'ticket_request_consent',
            value: String(number),
          }),
        ),
      },
      { form: true },
    );
    const confirm = await slack.fake.waitFor(() =>
      slack.fake.ephemerals.find((e) => e.text.includes('Richiesta di consenso')),
    );
    expect(confirm.user).toBe(TECH);
    const [request] = await slack.smtp.waitForMessages(1);
    expect(request!.parsed.text).toContain('Giulia');
    expect(request!.parsed.text).toContain('Risponda SÌ');
    slack.smtp.clear();

    await ingestMail(slack.s.app, { from: address, subject: 'PC lento', ticketNumber: number, text: 'Sì' });
    const granted = await slack.fake.waitFor(() =>
      slack.fake.thread(card.ts).find((m) => m.text.includes('consenso CONCESSO')),
    );
    // The technician who asked is mentioned, so Slack notifies them at once.
    expect(granted.text.startsWith(`<@${TECH}>`)).toBe(true);
    const secret = 'AnyDesk 123 456 789, password: Farfalla!77';
    await ingestMail(slack.s.app, { from: address, subject: 'PC lento', ticketNumber: number, text: secret });
    const handed = await slack.fake.waitFor(() =>
      slack.fake.ephemerals.find((e) => e.text.includes('Farfalla!77')),
    );
    expect(handed.user).toBe(TECH);
    // Read once in Slack: nothing is left for the API.
    expect((await slack.s.app.api(`/tickets/${number}/credentials`)).status).toBe(404);
    await slack.fake.waitFor(() =>
      slack.fake.thread(card.ts).find((m) => m.text.includes('credenziali ricevute')),
    );
    expect(JSON.stringify(slack.fake.messages)).not.toContain('Farfalla');

    expect(await command(`session ${number} start`)).toContain('Sessione remota avviata');
    expect(await command(`session ${number} end`)).toContain('Sessione remota chiusa');
    await slack.smtp.waitFor((m) => m.parsed.text?.includes('Chiuda ora RustDesk') ?? false);
    expect(slack.smtp.messages.some((m) => (m.parsed.text ?? '').includes('Farfalla'))).toBe(false);
    expect(await command(`session ${number} end`)).toContain('no remote session');
    expect(await command(`consent ${number}`)).toContain('Richiesta di consenso');
  });

  it('/helpdesk consent for a customer whose channel is not running: told at once, nothing asked', async () => {
    await createCustomer(
      slack.s.app.core,
      {
        name: 'Cliente Telegram',
        locale: 'it',
        status: 'active',
        identities: [{ kind: 'telegram', address: '777001' }],
      },
      'test',
    );
    const outcome = await slack.s.app.channelContext.ingest({
      channel: 'telegram',
      externalId: 'tg-unreachable-1',
      sender: { kind: 'telegram', address: '777001' },
      subject: 'PC lento',
      newText: 'Il PC è lento',
      fullText: 'Il PC è lento',
      attachments: [],
      thread: {},
      receivedAt: new Date(),
      raw: { contentType: 'application/json', data: '{}' },
    });
    if (outcome.status !== 'new_ticket') throw new Error(outcome.status);
    const text = await command(`consent ${outcome.ticketNumber}`);
    expect(text).toContain('telegram');
    expect(text).toContain('non è attivo');
    const listed = (await (await slack.s.app.api(`/tickets/${outcome.ticketNumber}/consents`)).json()) as {
      consents: unknown[];
    };
    expect(listed.consents).toHaveLength(0);
  });

  it('a Slack DM customer gets SÌ / NO buttons; only they can press them', async () => {
    const user = 'UCUSTDM01';
    const dm = 'DCUSTDM01';
    await createCustomer(
      slack.s.app.core,
      { name: 'Studio Blu', status: 'active', identities: [{ kind: 'slack', address: user }] },
      'test',
    );
    const first = slack.fake.userMessage({ channel: dm, user, text: 'Il server non risponde' });
    await slack.s.sendEvent(
      messageEvent({ channel: dm, user, text: first.text, ts: first.ts, channel_type: 'im' }),
    );
    const { rows } = await slack.fake
      .waitFor(async () => {
        const result = await slack.s.app.database.sql.query<{ number: number }>(
          "select number from tickets where origin_channel = 'slack'",
        );
        return result.rows.length ? result : undefined;
      })
      .then((r) => r!);
    const number = rows[0]!.number;
    const asked = await slack.s.app.api(`/tickets/${number}/consents`, { body: { technician: 'Luca' } });
    expect(asked.status).toBe(201);
    const request = await slack.fake.waitFor(() =>
      slack.fake.messages.find((m) => m.channel === dm && m.text.includes('Risponda SÌ')),
    );
    const actions = (
      request.blocks as Array<{
        type: string;
        elements?: Array<{ action_id: string; value: string; text: { text: string } }>;
      }>
    ).find((b) => b.type === 'actions')!.elements!;
    expect(actions.map((e) => e.text.text)).toEqual(['SÌ / YES', 'NO']);
    const press = (who: string, element: (typeof actions)[number]) =>
      slack.s.post(
        {
          payload: JSON.stringify(
            blockAction({
              user: who,
              channel: dm,
              messageTs: request.ts,
              actionId: element.action_id,
              value: element.value,
            }),
          ),
        },
        { form: true },
      );
    await press(OUTSIDER, actions[0]!);
    await slack.fake.waitFor(() =>
      slack.fake.ephemerals.find((e) => e.user === OUTSIDER && e.text.includes('Solo il cliente')),
    );
    await press(user, actions[1]!);
    await slack.fake.waitFor(() =>
      slack.fake.ephemerals.find((e) => e.user === user && e.text.includes('Rifiuto registrato')),
    );
    const listed = (await (await slack.s.app.api(`/tickets/${number}/consents`)).json()) as {
      consents: Array<{ event: string; answerVia: string; identity: string }>;
    };
    expect(listed.consents.at(-1)).toMatchObject({
      event: 'refused',
      answerVia: 'button',
      identity: `slack:${user}`,
    });
  });
});
