import type { InlineKeyboardMarkup, Message } from 'grammy/types';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeTelegramApi } from '../../helpers/fake-telegram-api.js';
import {
  getTicket,
  linkedCustomer,
  newUserId,
  shownText,
  startTelegramApp,
  type TelegramTestApp,
  ticketNumberIn,
  waitForText,
} from './telegram-kit.js';

let fake: FakeTelegramApi;
let t: TelegramTestApp;

beforeAll(async () => {
  fake = await FakeTelegramApi.start();
  t = await startTelegramApp(fake);
});
afterEach(() => {
  expect(fake.internalErrors).toEqual([]);
});
afterAll(async () => {
  await t?.app.close();
  await fake?.close();
});

async function offerTo(userId: number) {
  await linkedCustomer(t.app, userId);
  fake.queueUpdate(fake.textMessage({ fromId: userId, text: 'Il PC non si accende' }));
  const number = ticketNumberIn(shownText(await waitForText(fake, userId, 'abbiamo ricevuto')));
  const res = await t.app.api(`/tickets/${number}/proposals`, { body: { technician: 'marco' } });
  expect(res.status).toBe(201);
  const offer = await waitForText(fake, userId, 'Risponda con il numero scelto');
  const data = (offer.params.reply_markup as InlineKeyboardMarkup).inline_keyboard
    .flat()
    .map((b) => (b as { callback_data: string }).callback_data);
  return { number, offerMessageId: (offer.result as Message).message_id, data };
}

function answers() {
  return fake.sent.filter((c) => c.method === 'answerCallbackQuery');
}

describe('Telegram slot buttons', () => {
  it("the customer's press books the slot; another user's press on the same button books nothing", async () => {
    const userId = newUserId();
    const { number, offerMessageId, data } = await offerTo(userId);
    expect(data[1]).toMatch(/^slot:\d+:2$/);

    const intruder = newUserId();
    await linkedCustomer(t.app, intruder);
    const before = answers().length;
    fake.queueUpdate(fake.callbackQuery({ fromId: intruder, messageId: offerMessageId, data: data[1]! }));
    await vi.waitFor(() => expect(answers().length).toBe(before + 1), { timeout: 10_000 });
    expect(answers().at(-1)!.params.text).toBe('Questi orari non sono per lei.');
    expect((await getTicket(t.app, number)).ticket.status).not.toBe('scheduled');

    fake.queueUpdate(fake.callbackQuery({ fromId: userId, messageId: offerMessageId, data: data[1]! }));
    await vi.waitFor(() => expect(answers().length).toBe(before + 2), { timeout: 10_000 });
    expect(answers().at(-1)!.params.text).toBe('Appuntamento confermato.');
    await waitForText(fake, userId, 'Appuntamento confermato:');
    expect((await getTicket(t.app, number)).ticket.status).toBe('scheduled');
    await t.app.settle();
  });
});
