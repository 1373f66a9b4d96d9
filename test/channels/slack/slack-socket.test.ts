import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelegramAdapter } from '../../../src/channels/telegram/telegram-adapter.js';
import { createLinkCode } from '../../../src/core/chat-operations.js';
import { createCustomer } from '../../../src/core/customers.js';
import { FakeSlack } from '../../helpers/fake-slack/fake-slack.js';
import { messageEvent, slashCommand } from '../../helpers/fake-slack/slack-events.js';
import { FakeTelegramApi } from '../../helpers/fake-telegram-api.js';
import { TestChannel } from '../../helpers/test-channel.js';
import { CHANNEL, type SlackTestApp, startSlackApp, TECH } from './slack-kit.js';

/** Slack over Socket Mode (a local WebSocket), with a Telegram customer and a Slack customer. */
describe('Slack in Socket Mode', () => {
  let fake: FakeSlack;
  let telegram: FakeTelegramApi;
  let s: SlackTestApp;
  let email: TestChannel;

  beforeEach(async () => {
    email = new TestChannel('email');
    fake = new FakeSlack();
    await fake.start();
    fake.users.set(TECH, { display_name: 'Marco', real_name: 'Marco Verdi' });
    telegram = await FakeTelegramApi.start();
    s = await startSlackApp(fake, {
      mode: 'socket',
      others: (core) => [
        email,
        new TelegramAdapter({
          settings: { token: telegram.token, apiRoot: telegram.apiRoot },
          core,
          pollTimeoutSeconds: 1,
          retryBaseMs: 50,
          maxRetryMs: 200,
        }),
      ],
    });
    await fake.waitFor(() => fake.connectedSockets > 0);
  });
  afterEach(async () => {
    await s.app.close();
    await telegram.close();
    await fake.stop();
  });

  it('relays a thread reply to a Telegram customer and marks it ✅', async () => {
    await createCustomer(
      s.app.core,
      {
        name: 'Bar Sport',
        locale: 'it',
        status: 'active',
        identities: [{ kind: 'telegram', address: '424242' }],
      },
      'test',
    );
    const outcome = await s.app.channelContext.ingest({
      channel: 'telegram',
      externalId: '424242:10',
      sender: { kind: 'telegram', address: '424242', displayName: 'Luca' },
      newText: 'Il POS non si collega',
      fullText: 'Il POS non si collega',
      attachments: [],
      thread: { conversationId: '424242' },
      receivedAt: new Date(),
      raw: { contentType: 'application/json', data: '{}' },
    });
    expect(outcome.status).toBe('new_ticket');
    const card = await fake.waitFor(() =>
      fake.messages.find((m) => !m.thread_ts && m.text.includes('Bar Sport')),
    );
    expect(JSON.stringify(card.blocks)).toContain('telegram');
    const reply = fake.userMessage({
      channel: CHANNEL,
      user: TECH,
      text: 'Provi a riavviarlo',
      thread_ts: card.ts,
    });
    // Resolves only once the app acknowledged the envelope.
    await fake.sendEnvelope('events_api', {
      type: 'event_callback',
      event_id: 'EvSock1',
      event: messageEvent({
        channel: CHANNEL,
        user: TECH,
        text: reply.text,
        ts: reply.ts,
        thread_ts: card.ts,
      }),
    });
    const sent = await telegram.waitForSent(
      (c) => c.method === 'sendMessage' && String(c.params.text).includes('Provi a riavviarlo'),
      10_000,
    );
    expect(String(sent.params.chat_id)).toBe('424242');
    await fake.waitFor(() => reply.reactions.includes('white_check_mark'));
  });

  it('forwards an edit made after sending as an edit of the Telegram message, and shows a customer edit', async () => {
    await createCustomer(
      s.app.core,
      {
        name: 'Ottica Blu',
        locale: 'it',
        status: 'active',
        identities: [{ kind: 'telegram', address: '515151' }],
      },
      'test',
    );
    const inbound = (externalId: string, text: string, editOf?: string) =>
      s.app.channelContext.ingest({
        channel: 'telegram',
        externalId,
        sender: { kind: 'telegram', address: '515151', displayName: 'Anna' },
        newText: text,
        fullText: text,
        attachments: [],
        thread: { conversationId: '515151' },
        receivedAt: new Date(),
        raw: { contentType: 'application/json', data: '{}' },
        ...(editOf ? { editOf } : {}),
      });
    await inbound('515151:1', 'Lo scanner è lento');
    const card = await fake.waitFor(() =>
      fake.messages.find((m) => !m.thread_ts && m.text.includes('Ottica Blu')),
    );
    const reply = fake.userMessage({
      channel: CHANNEL,
      user: TECH,
      text: 'Lo riavvio io stasera',
      thread_ts: card.ts,
    });
    await s.sendEvent(
      messageEvent({ channel: CHANNEL, user: TECH, text: reply.text, ts: reply.ts, thread_ts: card.ts }),
    );
    await fake.waitFor(() => reply.reactions.includes('white_check_mark'));
    const { messageChanged } = await import('../../helpers/fake-slack/slack-events.js');
    await s.sendEvent(
      messageChanged({
        channel: CHANNEL,
        user: TECH,
        ts: reply.ts,
        thread_ts: card.ts,
        text: 'Lo riavvio io domattina',
      }),
    );
    const edit = await telegram.waitForSent(
      (c) => c.method === 'editMessageText' && String(c.params.text).includes('domattina'),
      10_000,
    );
    expect(String(edit.params.chat_id)).toBe('515151');
    // Signed with the technician's name, never the bot's (#20), the edit as the first send.
    const first = await telegram.waitForSent(
      (c) => c.method === 'sendMessage' && String(c.params.text).includes('stasera'),
    );
    expect(String(first.params.text)).toMatch(/Lo riavvio io stasera\n\n— \S+/);
    expect(String(edit.params.text)).toMatch(/Lo riavvio io domattina\n\n— \S+/);
    await fake.waitFor(() => fake.thread(card.ts).find((m) => m.text.includes('Modifica inoltrata')));
    // Edited into a note after the customer had it: the thread says why nothing more is sent.
    await s.sendEvent(
      messageChanged({
        channel: CHANNEL,
        user: TECH,
        ts: reply.ts,
        thread_ts: card.ts,
        text: 'nota: lo riavvio io domattina',
      }),
    );
    await fake.waitFor(() => fake.thread(card.ts).find((m) => m.text.includes('ora è una nota interna')));
    // The customer edits their own message: the thread shows it as an edit.
    await inbound('515151:1:edit:1', 'Lo scanner è lentissimo', '515151:1');
    // Under a loaded CI machine on the server store this once took over 10 s (under 1 s alone).
    const shown = await fake.waitFor(
      () => fake.thread(card.ts).find((m) => m.text.includes('lentissimo')),
      30_000,
    );
    expect(shown.text).toContain('messaggio modificato');
  });

  it('runs /helpdesk commands and answers a wrong one with its usage, ephemerally', async () => {
    const responses = async (text: string) => {
      const before = fake.responses.length;
      await fake.sendEnvelope(
        'slash_commands',
        slashCommand({
          command: '/helpdesk',
          text,
          user: TECH,
          channel: CHANNEL,
          responseUrl: fake.responseUrl(),
        }),
      );
      return fake.waitFor(() => fake.responses[before]);
    };
    expect((await responses('list')).text).toBe('Nessun ticket aperto. / No open tickets.');
    const wrong = await responses('take');
    expect(wrong).toEqual({
      response_type: 'ephemeral',
      text: 'Uso: /helpdesk take N / Usage: /helpdesk take N',
    });
    expect((await responses('boh')).text).toContain('/helpdesk reply N testo');
    expect((await responses('propose 1000 onsite 1h30')).text).toMatch(/1000/);
    expect((await responses('propose 1000 domani')).text).toContain(
      'Uso: /helpdesk propose N [remote|onsite]',
    );
    expect((await responses('take 99999')).text).toMatch(/99999/);
    await fake.sendEnvelope(
      'slash_commands',
      slashCommand({
        command: '/helpdesk',
        text: 'list',
        user: 'UOTHER01',
        channel: CHANNEL,
        responseUrl: fake.responseUrl(),
      }),
    );
    expect((await fake.waitFor(() => fake.responses[6])).text).toContain('Non sei abilitato');
  });

  it('acks a payload of an unexpected shape, keeps it raw and goes on with the next one', async () => {
    await fake.sendEnvelope('events_api', { type: 'event_callback', event_id: 'EvBad1', event: null });
    await fake.sendEnvelope('events_api', {
      type: 'event_callback',
      event_id: 'EvBad2',
      event: { type: 'message', channel: CHANNEL, ts: 12, text: { a: 1 } },
    });
    await fake.sendEnvelope('interactive', { type: 'block_actions', user: { id: TECH }, actions: null });
    await fake.sendEnvelope('slash_commands', { text: 'list' });
    await fake.sendEnvelope('interactive', null);
    fake.sendSocketText('{not json');
    fake.sendSocketText('null');
    // Acked and kept too: a type the app never declared, a command field of the wrong type, a
    // valid envelope sent as a binary frame, and a message over the 1 MB an HTTP body may have.
    await fake.sendEnvelope('bogus_type' as 'interactive', { type: 'x' });
    await fake.sendEnvelope('interactive', { type: 'view_submission', user: { id: TECH }, view: null });
    await fake.sendEnvelope('slash_commands', {
      ...slashCommand({
        command: '/helpdesk',
        text: 'list',
        user: TECH,
        channel: CHANNEL,
        responseUrl: fake.responseUrl(),
      }),
      text: null,
    });
    const raw = (id: string, text: string) =>
      JSON.stringify({
        envelope_id: id,
        type: 'events_api',
        payload: {
          type: 'event_callback',
          event_id: `Ev${id}`,
          event: { type: 'message', channel: CHANNEL, user: TECH, ts: '1.000001', text },
        },
      });
    const binary = fake.acked('bin1');
    fake.sendSocketText(new TextEncoder().encode(raw('bin1', 'ciao')));
    await binary;
    const big = fake.acked('big1');
    fake.sendSocketText(raw('big1', 'x'.repeat(1_100_000)));
    await big;
    await fake.sendEnvelope('events_api', JSON.parse(raw('long1', 'y'.repeat(40_001))).payload);
    const rows = await fake.waitFor(async () => {
      const { rows } = await s.app.database.sql.query<{ error: string; raw: string }>(
        `select error, convert_from(data, 'UTF8') as raw from raw_inputs
          where channel = 'slack' and error is not null order by id`,
      );
      return rows.length >= 13 ? rows : undefined;
    });
    // Each is acked before it is stored, so the rows may land in another order.
    expect(rows).toHaveLength(13);
    expect(rows.map((r) => r.error)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('without an event object'),
        expect.stringContaining('not a string'),
        expect.stringContaining('without actions'),
        expect.stringContaining('slash command without command'),
        expect.stringContaining('interactive envelope without a payload object'),
        expect.stringContaining('not a JSON object'),
        expect.stringContaining('not a JSON object'),
        expect.stringContaining('an envelope of type bogus_type, which this app does not handle'),
        expect.stringContaining('a payload of type view_submission, which this app does not handle'),
        expect.stringContaining('slash command: text not a string'),
        expect.stringContaining('a binary WebSocket frame'),
        expect.stringContaining('over the 1048576 an HTTP request may have'),
        expect.stringContaining("over Slack's 40000"),
      ]),
    );
    expect(rows.some((r) => r.raw === '{not json')).toBe(true);
    expect(rows.find((r) => r.error.includes('without an event object'))!.raw).toContain(
      '"event_id":"EvBad1"',
    );
    const before = fake.responses.length;
    await fake.sendEnvelope(
      'slash_commands',
      slashCommand({
        command: '/helpdesk',
        text: 'list',
        user: TECH,
        channel: CHANNEL,
        responseUrl: fake.responseUrl(),
      }),
    );
    expect((await fake.waitFor(() => fake.responses[before])).text).toBe(
      'Nessun ticket aperto. / No open tickets.',
    );
  });

  it('lets a Slack user link with a one-time code, then open a ticket in a DM', async () => {
    const customer = await createCustomer(
      s.app.core,
      {
        name: 'Studio Neri',
        locale: 'it',
        status: 'active',
        identities: [{ kind: 'email', address: 'neri@example.test' }],
      },
      'test',
    );
    const dm = 'DUSERSLK1';
    const user = 'UCUST0001';
    // Unlinked: kept as unmatched, nothing opened.
    const first = fake.userMessage({ channel: dm, user, text: 'Buongiorno' });
    await fake.sendEnvelope('events_api', {
      type: 'event_callback',
      event_id: 'EvDm1',
      event: messageEvent({ channel: dm, user, text: first.text, ts: first.ts, channel_type: 'im' }),
    });
    await fake.waitFor(async () => {
      const { rows } = await s.app.database.sql.query<{ n: number }>(
        "select count(*)::int as n from messages where channel = 'slack' and disposition = 'unmatched'",
      );
      return rows[0]!.n === 1;
    });
    const code = await createLinkCode(s.app.core, customer.id, 'slack');
    const link = fake.userMessage({ channel: dm, user, text: `link ${code}` });
    await fake.sendEnvelope('events_api', {
      type: 'event_callback',
      event_id: 'EvDm2',
      event: messageEvent({ channel: dm, user, text: link.text, ts: link.ts, channel_type: 'im' }),
    });
    await fake.waitFor(() => fake.messages.find((m) => m.channel === dm && m.text.includes('collegato')));
    const ask = fake.userMessage({ channel: dm, user, text: 'Il NAS fa rumore' });
    await fake.sendEnvelope('events_api', {
      type: 'event_callback',
      event_id: 'EvDm3',
      event: messageEvent({ channel: dm, user, text: ask.text, ts: ask.ts, channel_type: 'im' }),
    });
    const card = await fake.waitFor(() =>
      fake.messages.find((m) => !m.thread_ts && m.text.includes('Studio Neri')),
    );
    // The acknowledgement answers in the DM thread of the customer's message.
    await fake.waitFor(() => fake.messages.find((m) => m.channel === dm && m.thread_ts === ask.ts));
    const reply = fake.userMessage({
      channel: CHANNEL,
      user: TECH,
      text: 'Lo spenga, arrivo',
      thread_ts: card.ts,
    });
    await fake.sendEnvelope('events_api', {
      type: 'event_callback',
      event_id: 'EvDm4',
      event: messageEvent({
        channel: CHANNEL,
        user: TECH,
        text: reply.text,
        ts: reply.ts,
        thread_ts: card.ts,
      }),
    });
    const answer = await fake.waitFor(() =>
      fake.messages.find((m) => m.channel === dm && m.text.includes('Lo spenga, arrivo')),
    );
    // In the DM thread of the message that opened the ticket.
    expect(answer.thread_ts).toBe(ask.ts);
    await fake.waitFor(() => reply.reactions.includes('white_check_mark'));
    // A follow-up in the DM thread shows in the ticket's thread under the customer's name, not U….
    const more = fake.userMessage({ channel: dm, user, text: 'Spento', thread_ts: ask.ts });
    await fake.sendEnvelope('events_api', {
      type: 'event_callback',
      event_id: 'EvDm5',
      event: messageEvent({
        channel: dm,
        user,
        text: more.text,
        ts: more.ts,
        thread_ts: ask.ts,
        channel_type: 'im',
      }),
    });
    const shown = await fake.waitFor(() => fake.thread(card.ts).find((m) => m.text.includes('Spento')));
    expect(shown.text).toMatch(/^\*Studio Neri\* \(slack\):/);
    expect(shown.text).not.toContain(user);
  });

  it('tells an unknown Slack user to type link (not /link), and links them through their email', async () => {
    await createCustomer(
      s.app.core,
      {
        name: 'Studio Gialli',
        locale: 'it',
        status: 'active',
        identities: [{ kind: 'email', address: 'gialli@example.test' }],
      },
      'test',
    );
    const dm = 'DUSERSLK2';
    const user = 'UCUST0002';
    const say = async (text: string, eventId: string) => {
      const msg = fake.userMessage({ channel: dm, user, text });
      await fake.sendEnvelope('events_api', {
        type: 'event_callback',
        event_id: eventId,
        event: messageEvent({ channel: dm, user, text, ts: msg.ts, channel_type: 'im' }),
      });
      return msg;
    };
    await say('Salve', 'EvG1');
    const told = await fake.waitFor(() =>
      fake.messages.find((m) => m.channel === dm && m.text.includes('seguito')),
    );
    expect(told.text).toContain('con link seguito');
    expect(told.text).not.toContain('/link');
    await say('link gialli@example.test', 'EvG2');
    await fake.waitFor(() => fake.messages.find((m) => m.channel === dm && m.text.includes("un'email")));
    const [mail] = await email.waitForSent(1);
    expect(mail!.recipient.address).toBe('gialli@example.test');
    const command = /link [\w-]+/.exec(mail!.text)?.[0];
    expect(command).toBeDefined();
    await say(command!, 'EvG3');
    await fake.waitFor(() => fake.messages.find((m) => m.channel === dm && m.text.includes('collegato')));
    // Unknown addresses get the same answer and no mail.
    await say('link nessuno@example.test', 'EvG4');
    await fake.waitFor(
      () => fake.messages.filter((m) => m.channel === dm && m.text.includes("un'email")).length === 2,
    );
    await s.app.settle();
    expect(email.sent).toHaveLength(1);
  });
});
