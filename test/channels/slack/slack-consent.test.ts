import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCustomer } from '../../../src/core/customers.js';
import { FakeSlack } from '../../helpers/fake-slack/fake-slack.js';
import { blockAction, messageEvent, slashCommand } from '../../helpers/fake-slack/slack-events.js';
import { type SmtpCapture, startSmtpCapture } from '../../helpers/smtp-capture.js';
import {
  CHANNEL,
  emailCustomer,
  ingestMail,
  OUTSIDER,
  type SlackTestApp,
  SmtpOnlyEmail,
  startSlackApp,
  TECH,
} from './slack-kit.js';

/**
 * Consent driven from Slack (the card's button and `/helpdesk`), for an email customer: the
 * request by mail, the outcome in the thread, the credentials shown to the technician alone.
 */
describe('consent from Slack', () => {
  let fake: FakeSlack;
  let smtp: SmtpCapture;
  let s: SlackTestApp;

  beforeAll(async () => {
    smtp = await startSmtpCapture();
  });
  afterAll(async () => {
    await smtp.stop();
  });
  beforeEach(async () => {
    fake = new FakeSlack();
    await fake.start();
    fake.users.set(TECH, { display_name: 'Giulia', real_name: 'Giulia Bianchi' });
    smtp.clear();
    s = await startSlackApp(fake, { mode: 'http', others: () => [new SmtpOnlyEmail(smtp)] });
  });
  afterEach(async () => {
    await s.app.close();
    await fake.stop();
  });

  async function command(text: string) {
    const before = fake.responses.length;
    const response = await s.post(
      slashCommand({
        command: '/helpdesk',
        text,
        user: TECH,
        channel: CHANNEL,
        responseUrl: fake.responseUrl(),
      }),
      { form: true },
    );
    expect(response.status).toBe(200);
    return (await fake.waitFor(() => fake.responses[before])).text;
  }

  it('button asks by mail; a yes and the credentials reach the technician privately; /helpdesk session runs it', async () => {
    const { address } = await emailCustomer(s.app);
    const outcome = await ingestMail(s.app, { from: address, subject: 'PC lento', text: 'Il PC è lento' });
    if (outcome.status !== 'new_ticket') throw new Error(outcome.status);
    const number = outcome.ticketNumber;
    const card = await fake.waitFor(() =>
      fake.messages.find((m) => m.channel === CHANNEL && !m.thread_ts && m.text.includes(`#${number}`)),
    );
    await smtp.waitForMessages(1);
    smtp.clear();

    await s.post(
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
    const confirm = await fake.waitFor(() =>
      fake.ephemerals.find((e) => e.text.includes('Richiesta di consenso')),
    );
    expect(confirm.user).toBe(TECH);
    const [request] = await smtp.waitForMessages(1);
    expect(request!.parsed.text).toContain('Giulia');
    expect(request!.parsed.text).toContain('Risponda SÌ');
    smtp.clear();

    await ingestMail(s.app, { from: address, subject: 'PC lento', ticketNumber: number, text: 'Sì' });
    const granted = await fake.waitFor(() =>
      fake.thread(card.ts).find((m) => m.text.includes('consenso CONCESSO')),
    );
    // The technician who asked is mentioned, so Slack notifies them at once.
    expect(granted.text.startsWith(`<@${TECH}>`)).toBe(true);
    const secret = 'AnyDesk 123 456 789, password: Farfalla!77';
    await ingestMail(s.app, { from: address, subject: 'PC lento', ticketNumber: number, text: secret });
    const handed = await fake.waitFor(() => fake.ephemerals.find((e) => e.text.includes('Farfalla!77')));
    expect(handed.user).toBe(TECH);
    // Read once in Slack: nothing is left for the API.
    expect((await s.app.api(`/tickets/${number}/credentials`)).status).toBe(404);
    await fake.waitFor(() => fake.thread(card.ts).find((m) => m.text.includes('credenziali ricevute')));
    expect(JSON.stringify(fake.messages)).not.toContain('Farfalla');

    expect(await command(`session ${number} start`)).toContain('Sessione remota avviata');
    expect(await command(`session ${number} end`)).toContain('Sessione remota chiusa');
    await smtp.waitFor((m) => m.parsed.text?.includes('Chiuda ora RustDesk') ?? false);
    expect(smtp.messages.some((m) => (m.parsed.text ?? '').includes('Farfalla'))).toBe(false);
    expect(await command(`session ${number} end`)).toContain('no remote session');
    expect(await command(`consent ${number}`)).toContain('Richiesta di consenso');
  });

  it('/helpdesk consent for a customer whose channel is not running: told at once, nothing asked', async () => {
    await createCustomer(
      s.app.core,
      {
        name: 'Cliente Telegram',
        locale: 'it',
        status: 'active',
        identities: [{ kind: 'telegram', address: '777001' }],
      },
      'test',
    );
    const outcome = await s.app.channelContext.ingest({
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
    const listed = (await (await s.app.api(`/tickets/${outcome.ticketNumber}/consents`)).json()) as {
      consents: unknown[];
    };
    expect(listed.consents).toHaveLength(0);
  });

  it('a Slack DM customer gets SÌ / NO buttons; only they can press them', async () => {
    const user = 'UCUSTDM01';
    const dm = 'DCUSTDM01';
    await createCustomer(
      s.app.core,
      { name: 'Studio Blu', status: 'active', identities: [{ kind: 'slack', address: user }] },
      'test',
    );
    const first = fake.userMessage({ channel: dm, user, text: 'Il server non risponde' });
    await s.sendEvent(
      messageEvent({ channel: dm, user, text: first.text, ts: first.ts, channel_type: 'im' }),
    );
    const { rows } = await fake
      .waitFor(async () => {
        const result = await s.app.database.sql.query<{ number: number }>(
          "select number from tickets where origin_channel = 'slack'",
        );
        return result.rows.length ? result : undefined;
      })
      .then((r) => r!);
    const number = rows[0]!.number;
    const asked = await s.app.api(`/tickets/${number}/consents`, { body: { technician: 'Luca' } });
    expect(asked.status).toBe(201);
    const request = await fake.waitFor(() =>
      fake.messages.find((m) => m.channel === dm && m.text.includes('Risponda SÌ')),
    );
    const actions = (
      request.blocks as Array<{
        type: string;
        elements?: Array<{ action_id: string; value: string; text: { text: string } }>;
      }>
    ).find((b) => b.type === 'actions')!.elements!;
    expect(actions.map((e) => e.text.text)).toEqual(['SÌ / YES', 'NO']);
    const press = (who: string, element: (typeof actions)[number]) =>
      s.post(
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
    await fake.waitFor(() =>
      fake.ephemerals.find((e) => e.user === OUTSIDER && e.text.includes('Solo il cliente')),
    );
    await press(user, actions[1]!);
    await fake.waitFor(() =>
      fake.ephemerals.find((e) => e.user === user && e.text.includes('Rifiuto registrato')),
    );
    const listed = (await (await s.app.api(`/tickets/${number}/consents`)).json()) as {
      consents: Array<{ event: string; answerVia: string; identity: string }>;
    };
    expect(listed.consents.at(-1)).toMatchObject({
      event: 'refused',
      answerVia: 'button',
      identity: `slack:${user}`,
    });
  });
});
