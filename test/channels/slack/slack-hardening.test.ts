import { describe, expect, it } from 'vitest';
import { MESSAGE_TEXT_LIMIT } from '../../../src/channels/slack/slack-blocks.js';
import { RECEIPT_ATTEMPTS } from '../../../src/channels/slack/slack-mirror.js';
import { blockAction, messageEvent, slashCommand } from '../../helpers/fake-slack/slack-events.js';
import { CHANNEL, emailCustomer, ingestMail, TECH, useSlackWithMail } from './slack-kit.js';

/** Issue #20: what an outside tester found against the built app and the fake Slack. */
describe('Slack hardening (issue #20)', () => {
  const slack = useSlackWithMail();

  async function ticketWithCard(subject = 'Stampante', name?: string) {
    const { address } = await emailCustomer(slack.s.app, { name });
    const outcome = await ingestMail(slack.s.app, { from: address, subject, text: 'Non stampa' });
    if (outcome.status !== 'new_ticket') throw new Error(outcome.status);
    const card = await slack.fake.waitFor(() =>
      slack.fake.messages.find(
        (m) => m.channel === CHANNEL && !m.thread_ts && m.text.includes(`#${outcome.ticketNumber}`),
      ),
    );
    await slack.smtp.waitForMessages(1);
    slack.smtp.clear();
    return { number: outcome.ticketNumber, card };
  }

  async function command(text: string): Promise<string> {
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

  async function click(actionId: string, value: string, messageTs: string): Promise<string> {
    const before = slack.fake.ephemerals.length;
    const response = await slack.s.post(
      { payload: JSON.stringify(blockAction({ user: TECH, channel: CHANNEL, messageTs, actionId, value })) },
      { form: true },
    );
    expect(response.status).toBe(200);
    return (await slack.fake.waitFor(() => slack.fake.ephemerals[before])).text;
  }

  it('escapes customer text in /helpdesk list: no @channel, disguised link or mention', async () => {
    await ticketWithCard(
      '<!channel> <http://evil.example|URGENTE clicca> <@UTECH1>',
      'Mario <b>Rossi</b> & co',
    );
    const list = await command('list');
    expect(list).toContain('&lt;!channel&gt; &lt;http://evil.example|URGENTE clicca&gt; &lt;@UTECH1&gt;');
    expect(list).toContain('Mario &lt;b&gt;Rossi&lt;/b&gt; &amp; co');
    expect(list).not.toMatch(/<[!@h]/);
  });

  it('reads ticket numbers as decimal digits within range only, answering Italian then English', async () => {
    const { number, card } = await ticketWithCard();
    for (const text of [
      'take 99999999999999999999',
      'resolve 2147483648',
      'take 1e3',
      'take 0x3e8',
      'take -1',
    ]) {
      expect(await command(text)).toMatch(/^Uso: \/helpdesk \w+ N \/ Usage: /);
    }
    expect(await click('ticket_take', '99999999999', card.ts)).toBe(
      'Ticket non trovato. / Ticket not found.',
    );
    expect(await click('ticket_take', 'abc', card.ts)).toBe('Ticket non trovato. / Ticket not found.');
    expect(await command('note 9999 x')).toBe('Ticket #9999 non trovato. / Ticket #9999 not found.');
    expect(await command('reply 9999 x')).toBe('Ticket #9999 non trovato. / Ticket #9999 not found.');
    expect(await command(`take ${number}`)).toBe(
      `Ticket #${number} assegnato a Giulia. / Ticket #${number} assigned to Giulia.`,
    );
    const { rows } = await slack.s.app.database.sql.query<{ assignee: string | null }>(
      'select assignee from tickets order by number',
    );
    expect(rows.map((r) => r.assignee)).toEqual(['Giulia']);
  });

  it('answers REST path params that are not decimal digits with 400, not another row', async () => {
    const { customer } = await emailCustomer(slack.s.app);
    for (const id of ['1e3', '0x3e8', '99999999999999999999']) {
      const response = await slack.s.app.api(`/customers/${id}/activate`, { method: 'POST' });
      expect(response.status).toBe(400);
    }
    const good = await slack.s.app.api(`/customers/${customer.id}/activate`, { method: 'POST' });
    expect(good.status).toBe(200);
    expect((await slack.s.app.api('/tickets/1e0')).status).toBe(400);
    // Telegram user ids fit in 52 bits: 20 digits is no Telegram identity.
    const telegram = (address: string) =>
      slack.s.app.api('/customers', {
        method: 'POST',
        body: { name: `T ${address}`, identities: [{ kind: 'telegram', address }] },
      });
    expect((await telegram('12345678901234567890')).status).toBe(400);
    expect((await telegram(String(2 ** 52))).status).toBe(400);
    expect((await telegram(String(2 ** 52 - 1))).status).toBe(201);
  });

  it('answers a signed event with "event": null or odd-typed fields 200 and keeps it raw', async () => {
    for (const event of [
      null,
      { type: 'message', channel: CHANNEL, ts: 12, text: { a: 1 } },
      { text: 'x' },
    ]) {
      const response = await slack.s.post({ type: 'event_callback', event_id: `Ev${Math.random()}`, event });
      expect(response.status).toBe(200);
    }
    const response = await slack.s.post(
      { payload: JSON.stringify({ type: 'block_actions', user: { id: TECH }, actions: null }) },
      { form: true },
    );
    expect(response.status).toBe(200);
    const { rows } = await slack.s.app.database.sql.query<{ error: string }>(
      "select error from raw_inputs where channel = 'slack' and error is not null order by id",
    );
    expect(rows.map((r) => r.error)).toEqual([
      expect.stringContaining('without an event object'),
      expect.stringContaining('not a string'),
      expect.stringContaining('without a type'),
      expect.stringContaining('without actions'),
    ]);
  });

  it('splits a 50,000-character note into posts within Slack limits, nothing lost', async () => {
    const { number, card } = await ticketWithCard();
    const word = 'parola&<> ';
    const note = word.repeat(5000).trim();
    expect(await command(`note ${number} ${note}`)).toContain(`Nota aggiunta al ticket #${number}.`);
    const posts = await slack.fake.waitFor(() => {
      const thread = slack.fake.thread(card.ts).filter((m) => m.text.includes('parola'));
      const shown = thread.map((m) => m.text).join(' ');
      return shown.split('parola').length - 1 >= 5000 ? thread : undefined;
    });
    expect(posts.length).toBeGreaterThan(1);
    for (const post of posts) expect(post.text.length).toBeLessThanOrEqual(MESSAGE_TEXT_LIMIT);
    expect(posts[0]!.text).toMatch(/^:memo: Nota di Giulia: parola&amp;&lt;&gt;/);
  });

  it('counts already_reacted as a placed receipt and stops retrying it', async () => {
    const { card } = await ticketWithCard();
    const reply = slack.fake.userMessage({
      channel: CHANNEL,
      user: TECH,
      text: 'Arrivo',
      thread_ts: card.ts,
    });
    await slack.s.sendEvent(
      messageEvent({ channel: CHANNEL, user: TECH, text: reply.text, ts: reply.ts, thread_ts: card.ts }),
    );
    await slack.fake.waitFor(() => reply.reactions.includes('white_check_mark'));
    const db = slack.s.app.database.sql;
    await slack.fake.waitFor(async () => {
      const { rows } = await db.query<{ status: string }>('select status from slack_relays');
      return rows[0]?.status === 'done';
    });
    // As after a crash between the ✅ and its record: the receipt is placed again.
    await db.query("update slack_relays set status = 'queued', receipt_at = null");
    await slack.fake.waitFor(async () => {
      const { rows } = await db.query<{ status: string }>('select status from slack_relays');
      return rows[0]?.status === 'done';
    });
    expect(reply.reactions).toEqual(['white_check_mark']);
    expect(slack.fake.callsOf('reactions.add')).toHaveLength(2);
  });

  it('gives up a receipt Slack keeps refusing after bounded attempts, with one staff alert', async () => {
    const { card } = await ticketWithCard();
    slack.fake.failNext('reactions.add', { status: 200, error: 'internal_error' }, 100);
    const reply = slack.fake.userMessage({
      channel: CHANNEL,
      user: TECH,
      text: 'Arrivo',
      thread_ts: card.ts,
    });
    await slack.s.sendEvent(
      messageEvent({ channel: CHANNEL, user: TECH, text: reply.text, ts: reply.ts, thread_ts: card.ts }),
    );
    const alert = await slack.fake.waitFor(() =>
      slack.fake.messages.find((m) => m.text.includes('slack_receipt_failed')),
    );
    expect(alert.text).toContain(`dopo ${RECEIPT_ATTEMPTS} tentativi`);
    expect(slack.fake.callsOf('reactions.add')).toHaveLength(RECEIPT_ATTEMPTS);
    const { rows } = await slack.s.app.database.sql.query<{ status: string }>(
      'select status from slack_relays',
    );
    expect(rows[0]?.status).toBe('done');
  });
});
