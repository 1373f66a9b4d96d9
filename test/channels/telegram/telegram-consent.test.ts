import type { InlineKeyboardMarkup, Message } from 'grammy/types';
import { describe, expect, it } from 'vitest';
import type { RecordedCall } from '../../helpers/fake-telegram-api.js';
import {
  linkedCustomer,
  newUserId,
  shownText,
  ticketNumberIn,
  useTelegramApp,
  waitForText,
} from './telegram-kit.js';

/**
 * Remote-access consent on Telegram, through the real grammY against the fake Bot API: the request
 * with its SÌ/NO buttons, answers by button and by text, the credentials' hand-over and the STOP
 * button during a session.
 */

const tg = useTelegramApp();

async function ticketFor(userId: number, quickAccess = false) {
  await linkedCustomer(tg.t.app, userId);
  if (quickAccess) {
    await tg.t.app.database.sql.query(
      "update customers set quick_access = true where id = (select customer_id from identities where kind = 'telegram' and address = $1)",
      [String(userId)],
    );
  }
  tg.fake.queueUpdate(tg.fake.textMessage({ fromId: userId, text: 'Il PC è lentissimo' }));
  const ack = await waitForText(tg.fake, userId, 'abbiamo ricevuto');
  return ticketNumberIn(shownText(ack));
}

async function ask(number: number) {
  const response = await tg.t.app.api(`/tickets/${number}/consents`, { body: { technician: 'Luca' } });
  expect(response.status).toBe(201);
}

async function events(number: number) {
  const response = await tg.t.app.api(`/tickets/${number}/consents`);
  return (
    (await response.json()) as { consents: Array<{ event: string; answerText: string; answerVia: string }> }
  ).consents;
}

function press(userId: number, call: RecordedCall, label: string) {
  const buttons = (call.params.reply_markup as InlineKeyboardMarkup).inline_keyboard.flat() as Array<{
    text: string;
    callback_data: string;
  }>;
  const button = buttons.find((b) => b.text === label)!;
  const update = tg.fake.callbackQuery({
    fromId: userId,
    messageId: (call.result as Message).message_id,
    data: button.callback_data,
  });
  tg.fake.queueUpdate(update);
  return update.callback_query!.id;
}

const toast = (id: string) =>
  tg.fake.waitForSent((c) => c.method === 'answerCallbackQuery' && c.params.callback_query_id === id);

describe('consent on Telegram', () => {
  it('SÌ button grants; the credentials go to the technician only; STOP button revokes the session', async () => {
    const userId = newUserId();
    const number = await ticketFor(userId);
    await ask(number);
    const request = await waitForText(tg.fake, userId, 'Risponda SÌ');
    const yes = press(userId, request, 'SÌ / YES');
    expect((await toast(yes)).params.text).toBe('Autorizzazione registrata.');
    await waitForText(tg.fake, userId, "l'ID e la password");
    expect((await events(number)).at(-1)).toMatchObject({
      event: 'granted',
      answerVia: 'button',
      answerText: '[SÌ / YES]',
    });

    const secret = '123 456 789 pw Topolino55';
    tg.fake.queueUpdate(tg.fake.textMessage({ fromId: userId, text: secret }));
    await waitForText(tg.fake, userId, 'Credenziali ricevute');
    const read = await tg.t.app.api(`/tickets/${number}/credentials`);
    expect(((await read.json()) as { credentials: string }).credentials).toBe(secret);

    expect(
      (
        await tg.t.app.api(`/tickets/${number}/remote-session`, {
          body: { technician: 'Luca', action: 'start' },
        })
      ).status,
    ).toBe(200);
    const started = await waitForText(tg.fake, userId, 'ha iniziato il collegamento');
    const stop = press(userId, started, 'STOP');
    expect((await toast(stop)).params.text).toBe('Collegamento interrotto.');
    await waitForText(tg.fake, userId, 'Collegamento interrotto come richiesto');
    expect((await events(number)).map((e) => e.event)).toEqual([
      'requested',
      'granted',
      'credentials_provided',
      'session_started',
      'revoked',
    ]);
    // What Telegram received never held the password except the customer's own message.
    const sentText = JSON.stringify(
      tg.fake.calls.filter((c) => c.method !== 'getUpdates').map((c) => c.params),
    );
    expect(sentText).not.toContain('Topolino55');
  });

  it('a written "no" refuses; a stranger pressing the button changes nothing', async () => {
    const userId = newUserId();
    const stranger = newUserId();
    await linkedCustomer(tg.t.app, stranger);
    const number = await ticketFor(userId);
    await ask(number);
    const request = await waitForText(tg.fake, userId, 'Risponda SÌ');
    const foreign = press(stranger, request, 'SÌ / YES');
    expect((await toast(foreign)).params.text).toBe('Solo il cliente del ticket può rispondere.');
    expect((await events(number)).map((e) => e.event)).toEqual(['requested']);
    tg.fake.queueUpdate(
      tg.fake.textMessage({
        fromId: userId,
        text: 'no',
        replyToMessageId: (request.result as Message).message_id,
      }),
    );
    await waitForText(tg.fake, userId, 'nessun collegamento da remoto');
    expect((await events(number)).map((e) => e.event)).toEqual(['requested', 'refused']);
    const late = press(userId, request, 'SÌ / YES');
    expect((await toast(late)).params.text).toBe('Questa richiesta non è più attiva.');
  });

  it('with two open tickets in the chat, a plain "sì" answers the one whose consent is pending', async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId);
    const numbers: number[] = [];
    for (const text of ['Rete lenta', 'Stampante inceppata']) {
      tg.fake.queueUpdate(tg.fake.commandMessage({ fromId: userId, command: 'new', args: text }));
      numbers.push(ticketNumberIn(shownText(await waitForText(tg.fake, userId, text))));
    }
    await ask(numbers[1]!);
    await waitForText(tg.fake, userId, 'Risponda SÌ');
    tg.fake.queueUpdate(tg.fake.textMessage({ fromId: userId, text: 'Sì' }));
    await waitForText(tg.fake, userId, "l'ID e la password");
    expect((await events(numbers[1]!)).map((e) => e.event)).toEqual(['requested', 'granted']);
    expect(await events(numbers[0]!)).toEqual([]);
    // The credentials that follow go to the same ticket's technician, not into "which ticket?".
    tg.fake.queueUpdate(tg.fake.textMessage({ fromId: userId, text: '123456789 Betulla9x' }));
    await waitForText(tg.fake, userId, 'non vengono conservate');
    expect((await events(numbers[1]!)).map((e) => e.event)).toContain('credentials_provided');
    const { rows } = await tg.t.app.database.sql.query(
      "select 1 from messages where full_text like '%Betulla%' union all select 1 from raw_inputs where encode(data, 'escape') like '%Betulla%'",
    );
    expect(rows).toHaveLength(0);
  });
});
