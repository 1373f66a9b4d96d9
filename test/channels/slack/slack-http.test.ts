import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK_EVENTS_PATH } from '../../../src/channels/slack/http-receiver.js';
import { NOT_ALLOWED } from '../../../src/channels/slack/slack-inbound.js';
import { FakeSlack, signedPost } from '../../helpers/fake-slack/fake-slack.js';
import {
  blockAction,
  messageDeleted,
  messageEvent,
  slashCommand,
} from '../../helpers/fake-slack/slack-events.js';
import { type SmtpCapture, startSmtpCapture } from '../../helpers/smtp-capture.js';
import {
  CHANNEL,
  emailCustomer,
  ingestMail,
  OUTSIDER,
  persistentStore,
  type SlackTestApp,
  SmtpOnlyEmail,
  startSlackApp,
  TECH,
  TestClock,
  useSlackWithMail,
} from './slack-kit.js';

/** Slack over HTTP (`/slack/events`, real signing) with an email customer behind it. */
describe('Slack in HTTP mode', () => {
  const slack = useSlackWithMail();

  /** A new email ticket and its card in the technicians' channel. */
  async function ticketWithCard(text = 'La stampante non stampa') {
    const { address } = await emailCustomer(slack.s.app, { name: 'Rossi & Figli <Srl>' });
    const outcome = await ingestMail(slack.s.app, { from: address, subject: 'Stampante', text });
    if (outcome.status !== 'new_ticket') throw new Error(outcome.status);
    const card = await slack.fake.waitFor(() =>
      slack.fake.messages.find(
        (m) => m.channel === CHANNEL && !m.thread_ts && m.text.includes(`#${outcome.ticketNumber}`),
      ),
    );
    await slack.smtp.waitForMessages(1); // the acknowledgement
    slack.smtp.clear();
    return { address, number: outcome.ticketNumber, card };
  }

  it('refuses unsigned, wrongly signed and stale requests with 401 and stores nothing', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'abc' });
    const url = `${slack.s.app.url}${SLACK_EVENTS_PATH}`;
    const now = slack.s.clock.seconds();
    const unsigned = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(unsigned.status).toBe(401);
    const wrong = await signedPost(url, body, { secret: 'not-the-secret', timestamp: now });
    expect(wrong.status).toBe(401);
    const stale = await signedPost(url, body, { secret: slack.fake.signingSecret, timestamp: now - 301 });
    expect(stale.status).toBe(401);
    expect(await stale.json()).toMatchObject({ code: 'SLACK_SIGNATURE_STALE' });
    const future = await signedPost(url, body, { secret: slack.fake.signingSecret, timestamp: now + 400 });
    expect(future.status).toBe(401);
    const good = await signedPost(url, body, { secret: slack.fake.signingSecret, timestamp: now - 200 });
    expect(good.status).toBe(200);
    expect(await good.json()).toEqual({ challenge: 'abc' });
    // A signed body that changed on the way is refused too.
    const tampered = await signedPost(url, body.replace('abc', 'xyz'), {
      secret: slack.fake.signingSecret,
      timestamp: now,
      signature: (await import('../../../src/channels/slack/slack-signing.js')).slackSignature(
        slack.fake.signingSecret,
        now,
        body,
      ),
    });
    expect(tampered.status).toBe(401);
  });

  it('answers a signed body that is not a Slack payload with 200 (not sent again) and keeps it raw', async () => {
    const url = `${slack.s.app.url}${SLACK_EVENTS_PATH}`;
    const body = '{"type": "event_callback", "event": {'; // cut short
    const signed = { secret: slack.fake.signingSecret, timestamp: slack.s.clock.seconds() };
    const form = { ...signed, contentType: 'application/x-www-form-urlencoded' };
    const sent: Array<[string, typeof signed]> = [
      [body, signed],
      ['null', signed],
      ['payload=%7Bnot-json', form],
      ['payload=null', form],
      ['', form],
      ['command=%2Fhelpdesk&text=a&text=b&user_id=U1&response_url=http%3A%2F%2F127.0.0.1%3A9', form],
      [`payload=${encodeURIComponent(JSON.stringify({ type: 'view_submission', view: null }))}`, form],
    ];
    for (const [text, options] of sent) {
      const response = await signedPost(url, text, options);
      expect(response.status).toBe(200);
    }
    const { rows } = await slack.s.app.database.sql.query<{ data: Uint8Array; error: string }>(
      "select data, error from raw_inputs where channel = 'slack' order by id",
    );
    expect(rows.map((r) => Buffer.from(r.data).toString('utf8'))).toEqual(sent.map(([text]) => text));
    expect(rows.map((r) => r.error)).toEqual([
      expect.any(String),
      expect.stringContaining('not a JSON object'),
      expect.any(String),
      expect.stringContaining('not a JSON object'),
      expect.stringContaining('a payload of type none, which this app does not handle'),
      expect.stringContaining('slash command: text not a string'),
      expect.stringContaining('a payload of type view_submission, which this app does not handle'),
    ]);
  });

  it('uses the injected clock for the replay window', async () => {
    slack.s.clock.advance(-3600_000);
    const body = JSON.stringify({ type: 'url_verification', challenge: 'c' });
    const realNow = Math.floor(Date.now() / 1000);
    const url = `${slack.s.app.url}${SLACK_EVENTS_PATH}`;
    expect(
      (await signedPost(url, body, { secret: slack.fake.signingSecret, timestamp: realNow })).status,
    ).toBe(401);
    expect(
      (await signedPost(url, body, { secret: slack.fake.signingSecret, timestamp: slack.s.clock.seconds() }))
        .status,
    ).toBe(200);
  });

  it('posts a card for a new ticket and updates it when a technician takes it', async () => {
    const { number, card } = await ticketWithCard();
    expect(card.text).toContain('Rossi &amp; Figli &lt;Srl&gt;');
    const blocks = JSON.stringify(card.blocks);
    expect(blocks).toContain('La stampante non stampa');
    expect(blocks).toContain('30,00');
    expect(blocks).toContain('Accesso rapido');
    expect(blocks).toContain('ticket_take');
    expect(blocks).toContain('email');
    const response = await slack.s.post(
      {
        payload: JSON.stringify(
          blockAction({
            user: TECH,
            channel: CHANNEL,
            messageTs: card.ts,
            actionId: 'ticket_take',
            value: String(number),
          }),
        ),
      },
      { form: true },
    );
    expect(response.status).toBe(200);
    await slack.fake.waitFor(() => slack.fake.callsOf('chat.update').length > 0);
    expect(card.history.length).toBe(2);
    expect(JSON.stringify(card.blocks)).toContain('Giulia');
    expect(JSON.stringify(card.blocks)).not.toContain('ticket_take');
    const { rows } = await slack.s.app.database.sql.query<{ actor: string }>(
      "select actor from audit_log where action = 'ticket.assigned'",
    );
    expect(rows).toEqual([{ actor: `slack:${TECH}` }]);
  });

  it('answers a button it does not know (an older card) with "not available", changing nothing', async () => {
    const { number, card } = await ticketWithCard();
    for (const actionId of ['ticket_unknown_action']) {
      await slack.s.post(
        {
          payload: JSON.stringify(
            blockAction({
              user: TECH,
              channel: CHANNEL,
              messageTs: card.ts,
              actionId,
              value: String(number),
            }),
          ),
        },
        { form: true },
      );
    }
    await slack.fake.waitFor(() => slack.fake.ephemerals.length === 1);
    expect(
      slack.fake.ephemerals.every((e) => e.text.includes('non ancora disponibile') && e.user === TECH),
    ).toBe(true);
    expect(slack.fake.callsOf('chat.update')).toHaveLength(0);
  });

  it('"Proponi orari" sends the next free slots to the customer and lists them to the technician', async () => {
    const { number, card } = await ticketWithCard();
    const before = slack.fake.ephemerals.length;
    await slack.s.post(
      {
        payload: JSON.stringify(
          blockAction({
            user: TECH,
            channel: CHANNEL,
            messageTs: card.ts,
            actionId: 'ticket_propose_slots',
            value: String(number),
          }),
        ),
      },
      { form: true },
    );
    await slack.fake.waitFor(() => slack.fake.ephemerals.length > before);
    const answer = slack.fake.ephemerals.at(-1)!;
    expect(answer.user).toBe(TECH);
    expect(answer.text).toContain(`Ticket #${number}: orari proposti al cliente (da remoto)`);
    expect(answer.text).toMatch(/1\) \S+ \d+ \S+, \d\d:\d\d–\d\d:\d\d/);
    const { rows } = await slack.s.app.database.sql.query<{ n: number }>(
      'select count(*)::int as n from offered_slots os join slot_offers o on o.id = os.offer_id where o.technician = $1',
      [TECH],
    );
    expect(rows[0]!.n).toBe(3);
  });

  it('threads a customer message with its file under the card', async () => {
    const { address, number, card } = await ticketWithCard();
    await ingestMail(slack.s.app, {
      from: address,
      subject: 'Stampante',
      ticketNumber: number,
      text: 'Ecco la foto dell’errore',
      attachments: [
        { filename: 'errore.png', contentType: 'image/png', size: 4, content: new Uint8Array([1, 2, 3, 4]) },
      ],
    });
    const posted = await slack.fake.waitFor(() =>
      slack.fake.thread(card.ts).find((m) => m.text.includes('foto dell’errore')),
    );
    expect(posted.text).toContain('Mario Rossi');
    const file = await slack.fake.waitFor(() =>
      slack.fake.files.find((f) => f.filename === 'errore.png' && f.thread_ts),
    );
    expect(file).toMatchObject({ channel: CHANNEL, thread_ts: card.ts });
    expect([...file.bytes]).toEqual([1, 2, 3, 4]);
  });

  it('relays a technician thread reply to the email customer, signed with their name, with ✅', async () => {
    const { address, card } = await ticketWithCard();
    const reply = slack.fake.userMessage({
      channel: CHANNEL,
      user: TECH,
      text: 'Buongiorno, passo alle 15 &amp; porto il toner',
      thread_ts: card.ts,
    });
    await slack.s.sendEvent(
      messageEvent({ channel: CHANNEL, user: TECH, text: reply.text, ts: reply.ts, thread_ts: card.ts }),
    );
    const [mail] = await slack.smtp.waitForMessages(1);
    expect(mail!.envelope.to).toEqual([address]);
    expect(mail!.parsed.text).toContain('passo alle 15 & porto il toner');
    await slack.fake.waitFor(() => reply.reactions.includes('white_check_mark'));
    const { rows } = await slack.s.app.database.sql.query<{ author: string; direction: string }>(
      "select author, direction from messages where direction = 'outbound' and author <> 'bot'",
    );
    expect(rows).toEqual([{ author: 'Giulia', direction: 'outbound' }]);
  });

  it('shows ⚠️ and the reason in the thread when the delivery fails for good', async () => {
    const { card } = await ticketWithCard();
    slack.smtp.failNext('permanent', 1, 'rcpt');
    const reply = slack.fake.userMessage({
      channel: CHANNEL,
      user: TECH,
      text: 'Le scrivo per conferma',
      thread_ts: card.ts,
    });
    await slack.s.sendEvent(
      messageEvent({ channel: CHANNEL, user: TECH, text: reply.text, ts: reply.ts, thread_ts: card.ts }),
    );
    await slack.fake.waitFor(() => reply.reactions.includes('warning'));
    const note = await slack.fake.waitFor(() =>
      slack.fake.thread(card.ts).find((m) => m.text.includes('NON consegnata')),
    );
    expect(note.text).toMatch(/550|mailbox/i);
    expect(reply.reactions).not.toContain('white_check_mark');
  });

  it('keeps a note-prefixed reply internal and never sends it', async () => {
    const { number, card } = await ticketWithCard();
    const note = slack.fake.userMessage({
      channel: CHANNEL,
      user: TECH,
      text: 'NOTA: cliente difficile, chiamare prima',
      thread_ts: card.ts,
    });
    await slack.s.sendEvent(
      messageEvent({ channel: CHANNEL, user: TECH, text: note.text, ts: note.ts, thread_ts: card.ts }),
    );
    await slack.fake.waitFor(() => note.reactions.includes('memo'));
    await slack.s.app.settle();
    expect(slack.smtp.messages).toHaveLength(0);
    const ticket = (await (await slack.s.app.api(`/tickets/${number}`)).json()) as {
      messages: Array<{ direction: string; newText: string }>;
    };
    expect(ticket.messages.filter((m) => m.direction === 'note').map((m) => m.newText)).toEqual([
      'cliente difficile, chiamare prima',
    ]);
  });

  it('runs /helpdesk over HTTP: reply (relayed, with receipt), note, contact, resolve, reopen', async () => {
    const { address, number, card } = await ticketWithCard();
    const command = async (text: string) => {
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
    };
    expect(await command(`reply ${number} La richiamo alle 16`)).toContain(`#${number}`);
    const [mail] = await slack.smtp.waitForMessages(1);
    expect(mail!.envelope.to).toEqual([address]);
    expect(mail!.parsed.text).toContain('La richiamo alle 16');
    const shown = await slack.fake.waitFor(() =>
      slack.fake.thread(card.ts).find((m) => m.text.includes('La richiamo alle 16')),
    );
    await slack.fake.waitFor(() => shown.reactions.includes('white_check_mark'));
    expect(await command(`note ${number} cliente gentile`)).toContain('Nota aggiunta');
    expect(await command(`contact ${number} phone fissato intervento`)).toContain('Telefonata registrata');
    expect(await command(`resolve ${number}`)).toContain('risolto');
    await slack.fake.waitFor(
      () => card.history.length >= 2 && JSON.stringify(card.blocks).includes('risolto'),
    );
    expect(await command(`reopen ${number}`)).toContain('riaperto');
    expect(await command(`resolve ${number + 5000}`)).toMatch(/not found|non trovato|#?\d+/i);
    await slack.s.app.settle();
    expect(slack.smtp.messages).toHaveLength(1);
    const { rows } = await slack.s.app.database.sql.query<{ action: string; actor: string }>(
      "select action, actor from audit_log where actor like 'slack:%' order by id",
    );
    expect(rows.map((r) => r.action)).toEqual([
      'ticket.reply',
      'ticket.note',
      'ticket.contact',
      'ticket.status',
      'ticket.status',
    ]);
    expect(new Set(rows.map((r) => r.actor))).toEqual(new Set([`slack:${TECH}`]));
  });

  it('refuses a non-technician ephemerally and changes nothing', async () => {
    const { card } = await ticketWithCard();
    const msg = slack.fake.userMessage({
      channel: CHANNEL,
      user: OUTSIDER,
      text: 'Rispondo io',
      thread_ts: card.ts,
    });
    await slack.s.sendEvent(
      messageEvent({ channel: CHANNEL, user: OUTSIDER, text: msg.text, ts: msg.ts, thread_ts: card.ts }),
    );
    await slack.fake.waitFor(() => slack.fake.ephemerals.find((e) => e.user === OUTSIDER));
    expect(slack.fake.ephemerals[0]!.text).toBe(NOT_ALLOWED);
    const take = await slack.s.post(
      {
        payload: JSON.stringify(
          blockAction({
            user: OUTSIDER,
            channel: CHANNEL,
            messageTs: card.ts,
            actionId: 'ticket_resolve',
            value: '1',
          }),
        ),
      },
      { form: true },
    );
    expect(take.status).toBe(200);
    await slack.fake.waitFor(() => slack.fake.ephemerals.length === 2);
    await slack.s.app.settle();
    expect(slack.smtp.messages).toHaveLength(0);
    const { rows } = await slack.s.app.database.sql.query<{ n: number }>(
      "select count(*)::int as n from slack_relays union all select count(*)::int from tickets where status = 'resolved'",
    );
    expect(rows.map((r) => r.n)).toEqual([0, 0]);
  });
});

describe('Slack relay hold', () => {
  let fake: FakeSlack;
  let smtp: SmtpCapture;
  let s: SlackTestApp;

  beforeEach(async () => {
    fake = new FakeSlack();
    await fake.start();
    fake.users.set(TECH, { display_name: 'Giulia', real_name: 'Giulia Bianchi' });
    smtp = await startSmtpCapture();
    s = await startSlackApp(fake, {
      mode: 'http',
      settings: { relayDelayMs: 5_000 },
      others: () => [new SmtpOnlyEmail(smtp)],
    });
  });
  afterEach(async () => {
    await s.app.close();
    await fake.stop();
    await smtp.stop();
  });

  it('cancels a reply deleted within the hold, and sends the edited text of an edited one', async () => {
    const { address } = await emailCustomer(s.app);
    const outcome = await ingestMail(s.app, { from: address, subject: 'Rete', text: 'Internet non va' });
    const card = await fake.waitFor(() => fake.messages.find((m) => !m.thread_ts && m.text.includes('Rete')));
    await smtp.waitForMessages(1);
    smtp.clear();
    const oops = fake.userMessage({
      channel: CHANNEL,
      user: TECH,
      text: 'risposta sbagliata',
      thread_ts: card.ts,
    });
    await s.sendEvent(
      messageEvent({ channel: CHANNEL, user: TECH, text: oops.text, ts: oops.ts, thread_ts: card.ts }),
    );
    await s.sendEvent(messageDeleted({ channel: CHANNEL, user: TECH, ts: oops.ts, thread_ts: card.ts }));
    await fake.waitFor(() => fake.thread(card.ts).find((m) => m.text.includes('annullata')));
    s.clock.advance(6_000);
    const good = fake.userMessage({
      channel: CHANNEL,
      user: TECH,
      text: 'Riavvii il router',
      thread_ts: card.ts,
    });
    await s.sendEvent(
      messageEvent({ channel: CHANNEL, user: TECH, text: good.text, ts: good.ts, thread_ts: card.ts }),
    );
    const { messageChanged } = await import('../../helpers/fake-slack/slack-events.js');
    await s.sendEvent(
      messageChanged({
        channel: CHANNEL,
        user: TECH,
        ts: good.ts,
        thread_ts: card.ts,
        text: 'Riavvii il router e il modem',
      }),
    );
    await fake.waitFor(async () => {
      const { rows } = await s.app.database.sql.query<{ text: string }>(
        'select text from slack_relays where ts = $1',
        [good.ts],
      );
      return rows[0]?.text === 'Riavvii il router e il modem';
    });
    s.clock.advance(6_000);
    const [mail] = await smtp.waitForMessages(1);
    expect(mail!.parsed.text).toContain('Riavvii il router e il modem');
    expect(mail!.parsed.text).not.toContain('sbagliata');
    await fake.waitFor(() => good.reactions.includes('white_check_mark'));
    expect(oops.reactions).toEqual([]);
    expect(outcome.status).toBe('new_ticket');
  });
});

describe('Slack across restarts', () => {
  it('stores a retried event once after a restart, and keeps the thread link', async () => {
    const fake = new FakeSlack();
    await fake.start();
    fake.users.set(TECH, { display_name: 'Giulia', real_name: 'Giulia Bianchi' });
    const smtp = await startSmtpCapture();
    const store = await persistentStore();
    const clock = new TestClock();
    let s = await startSlackApp(fake, {
      mode: 'http',
      store,
      clock,
      others: () => [new SmtpOnlyEmail(smtp)],
    });
    try {
      const { address } = await emailCustomer(s.app);
      const outcome = await ingestMail(s.app, {
        from: address,
        subject: 'Server',
        text: 'Il server è spento',
      });
      if (outcome.status !== 'new_ticket') throw new Error(outcome.status);
      const card = await fake.waitFor(() =>
        fake.messages.find((m) => !m.thread_ts && m.text.includes('Server')),
      );
      await smtp.waitForMessages(1);
      const reply = fake.userMessage({ channel: CHANNEL, user: TECH, text: 'Arrivo', thread_ts: card.ts });
      const event = messageEvent({
        channel: CHANNEL,
        user: TECH,
        text: reply.text,
        ts: reply.ts,
        thread_ts: card.ts,
      });
      await s.sendEvent(event, { eventId: 'EvSAME1' });
      await smtp.waitForMessages(2);
      await s.app.stop();
      s = await startSlackApp(fake, { mode: 'http', store, clock, others: () => [new SmtpOnlyEmail(smtp)] });
      // Slack's retry of the same event, and the same message under another event id.
      await s.sendEvent(event, { eventId: 'EvSAME1', retryNum: 1 });
      await s.sendEvent(event, { eventId: 'EvOTHER2', retryNum: 2 });
      await ingestMail(s.app, {
        from: address,
        subject: 'Server',
        ticketNumber: outcome.ticketNumber,
        text: 'Ora è acceso',
      });
      await fake.waitFor(() => fake.thread(card.ts).find((m) => m.text.includes('Ora è acceso')));
      await s.app.settle();
      expect(smtp.messages.filter((m) => m.parsed.text?.includes('Arrivo'))).toHaveLength(1);
      expect(fake.messages.filter((m) => !m.thread_ts && m.channel === CHANNEL)).toHaveLength(1);
      const { rows } = await s.app.database.sql.query<{ n: number }>(
        'select count(*)::int as n from slack_relays',
      );
      expect(rows[0]!.n).toBe(1);
    } finally {
      await s.app.close();
      await store.drop();
      await smtp.stop();
      await fake.stop();
    }
    // Two starts on a store kept on disk: slow on a loaded machine, not a speed assertion.
  }, 120_000);
});
