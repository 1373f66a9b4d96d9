import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Bot, GrammyError, InputFile, webhookCallback } from 'grammy';
import type { Message } from 'grammy/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegramApi, telegramErrors } from '../../helpers/fake-telegram-api.js';

let fake: FakeTelegramApi;
const bots: Bot[] = [];
const servers: Server[] = [];

function newBot(withInfo = true): Bot {
  const bot = new Bot(fake.token, {
    client: { apiRoot: fake.apiRoot },
    ...(withInfo ? { botInfo: fake.botInfo } : {}),
  });
  bots.push(bot);
  return bot;
}

beforeAll(async () => {
  fake = await FakeTelegramApi.start();
});

afterEach(() => {
  expect(fake.internalErrors).toEqual([]);
  fake.clearCalls();
});

afterAll(async () => {
  for (const bot of bots) if (bot.isRunning()) await bot.stop();
  await Promise.all(
    servers.map(
      (server) =>
        new Promise((resolve) => {
          server.close(resolve);
          server.closeAllConnections();
        }),
    ),
  );
  await fake.close();
});

describe('FakeTelegramApi with the real grammY client', () => {
  it('answers getMe for bot.init()', async () => {
    const bot = newBot(false);
    await bot.init();
    expect(bot.botInfo.username).toBe(fake.botInfo.username);
    expect(bot.botInfo.id).toBe(fake.botInfo.id);
  });

  it('rejects an unknown token with 401 and an unknown method with 404', async () => {
    const wrong = new Bot('123:wrong', { client: { apiRoot: fake.apiRoot } });
    await expect(wrong.api.getMe()).rejects.toMatchObject({ error_code: 401, description: 'Unauthorized' });
    const response = await fetch(`${fake.apiRoot}/bot${fake.token}/noSuchMethod`, { method: 'POST' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ ok: false, error_code: 404, description: 'Not Found' });
  });

  it('delivers a queued update by long polling, records the reply and confirms the offset', async () => {
    const bot = newBot();
    const seen: string[] = [];
    bot.on('message:text', async (ctx) => {
      seen.push(ctx.message.text);
      await ctx.reply(`echo: ${ctx.message.text}`, {
        reply_parameters: { message_id: ctx.message.message_id },
      });
    });
    const running = bot.start({ timeout: 30 });

    const update = fake.queueUpdate(
      fake.textMessage({ fromId: 4242, text: 'hello <bot>', languageCode: 'it' }),
    );
    const call = await fake.waitForSent((c) => c.method === 'sendMessage' && c.params.chat_id === 4242);
    expect(seen).toEqual(['hello <bot>']);
    expect(call.params.text).toBe('echo: hello <bot>');
    const sent = call.result as Message;
    expect(sent.message_id).toBe(update.message!.message_id + 1);
    expect(sent.chat).toMatchObject({ id: 4242, type: 'private' });
    expect(sent.from?.is_bot).toBe(true);
    expect(sent.reply_to_message?.message_id).toBe(update.message!.message_id);
    expect(sent.reply_to_message?.text).toBe('hello <bot>');
    expect(Number.isInteger(sent.date) && Math.abs(sent.date - Date.now() / 1000) < 5).toBe(true);

    // The next getUpdates confirms it: the offset moves past it and the queue is empty.
    await expect.poll(() => fake.stats.offsetsSeen.includes(update.update_id + 1)).toBe(true);
    expect(fake.pendingUpdates).toHaveLength(0);
    expect(fake.stats.confirmedUpTo).toBe(update.update_id);

    await bot.stop();
    await running;
  });

  it('holds getUpdates until an update arrives, and only up to the cap', async () => {
    const api = newBot().api;
    const started = Date.now();
    expect(await api.getUpdates({ timeout: 30 })).toEqual([]);
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(waited).toBeLessThan(3000);

    const held = api.getUpdates({ timeout: 30, offset: fake.stats.confirmedUpTo + 1 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const update = fake.queueUpdate(fake.textMessage({ fromId: 1, text: 'wake up' }));
    expect((await held).map((u) => u.update_id)).toEqual([update.update_id]);

    // limit and negative offsets behave like Telegram's.
    const more = [2, 3, 4].map((n) => fake.queueUpdate(fake.textMessage({ fromId: n, text: `m${n}` })));
    expect((await api.getUpdates({ limit: 2 })).map((u) => u.update_id)).toEqual([
      update.update_id,
      more[0]!.update_id,
    ]);
    expect((await api.getUpdates({ offset: -1 })).map((u) => u.update_id)).toEqual([more[2]!.update_id]);
    expect(fake.pendingUpdates.map((u) => u.update_id)).toEqual([more[2]!.update_id]);
    await api.getUpdates({ offset: more[2]!.update_id + 1 });
  });

  it('makes injected failures surface as GrammyError with their parameters', async () => {
    const api = newBot().api;
    fake.failNext('sendMessage', telegramErrors.tooManyRequests(7));
    const error = await api.sendMessage(42, 'hi').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GrammyError);
    expect(error).toMatchObject({ error_code: 429, parameters: { retry_after: 7 } });

    fake.failNext('sendMessage', telegramErrors.blocked(), 1);
    await expect(api.sendMessage(42, 'hi')).rejects.toMatchObject({
      error_code: 403,
      description: 'Forbidden: bot was blocked by the user',
    });
    fake.failNext('sendMessage', telegramErrors.migrated(-100555));
    await expect(api.sendMessage(-555, 'hi')).rejects.toMatchObject({
      error_code: 400,
      parameters: { migrate_to_chat_id: -100555 },
    });
    fake.failNext('sendMessage', telegramErrors.serverError(), 2);
    await expect(api.sendMessage(42, 'a')).rejects.toMatchObject({ error_code: 500 });
    await expect(api.sendMessage(42, 'b')).rejects.toMatchObject({ error_code: 500 });

    const ok = await api.sendMessage(42, 'finally');
    expect(ok.text).toBe('finally');
    expect(fake.sent.map((c) => c.params.text)).toEqual(['finally']);
    expect(fake.calls.filter((c) => !c.ok)).toHaveLength(5);
  });

  it('simulates blocked users and migrated groups for every later send', async () => {
    const api = newBot().api;
    fake.blockChat(777);
    await expect(api.sendMessage(777, 'x')).rejects.toMatchObject({ error_code: 403 });
    fake.unblockChat(777);
    await expect(api.sendMessage(777, 'x')).resolves.toMatchObject({ text: 'x' });
    fake.migrateChat(-888, -100888);
    await expect(api.sendMessage(-888, 'x')).rejects.toMatchObject({
      error_code: 400,
      description: 'Bad Request: group chat was upgraded to a supergroup chat',
      parameters: { migrate_to_chat_id: -100888 },
    });
  });

  it('validates HTML, length, buttons and replies like Telegram', async () => {
    const api = newBot().api;
    await expect(api.sendMessage(42, 'a < b', { parse_mode: 'HTML' })).rejects.toMatchObject({
      error_code: 400,
      description: expect.stringContaining("can't parse entities"),
    });
    const long = await api.sendMessage(42, '&amp;'.repeat(4096), { parse_mode: 'HTML' });
    expect(long.text).toBe('&'.repeat(4096));
    await expect(api.sendMessage(42, 'x'.repeat(4097))).rejects.toMatchObject({
      description: 'Bad Request: message is too long',
    });
    await expect(api.sendMessage(42, '   ')).rejects.toMatchObject({
      description: 'Bad Request: message text is empty',
    });
    await expect(
      api.sendMessage(42, 'x', {
        reply_markup: { inline_keyboard: [[{ text: 'b', callback_data: 'd'.repeat(65) }]] },
      }),
    ).rejects.toMatchObject({ description: 'Bad Request: BUTTON_DATA_INVALID' });
    await expect(
      api.sendMessage(42, 'x', { reply_parameters: { message_id: 99_999 } }),
    ).rejects.toMatchObject({
      description: 'Bad Request: message to be replied not found',
    });
    const lenient = await api.sendMessage(42, 'x', {
      reply_parameters: { message_id: 99_999, allow_sending_without_reply: true },
    });
    expect(lenient.reply_to_message).toBeUndefined();
  });

  it('edits messages, answers callback queries and chat actions', async () => {
    const bot = newBot();
    const sent = await bot.api.sendMessage(50, 'Consent?', {
      reply_markup: { inline_keyboard: [[{ text: 'Yes', callback_data: 'c:yes' }]] },
    });
    expect(sent.message_id).toBe(1);
    const edited = await bot.api.editMessageText(50, sent.message_id, 'Consent given');
    expect(edited).toMatchObject({ text: 'Consent given', message_id: sent.message_id });
    expect((edited as Message).reply_markup).toBeUndefined();
    await expect(bot.api.editMessageText(50, sent.message_id, 'Consent given')).rejects.toMatchObject({
      description: expect.stringContaining('message is not modified'),
    });
    await expect(bot.api.editMessageText(50, 12345, 'x')).rejects.toMatchObject({
      description: 'Bad Request: message to edit not found',
    });
    const withMarkup = await bot.api.editMessageReplyMarkup(50, sent.message_id, {
      reply_markup: { inline_keyboard: [[{ text: 'Undo', callback_data: 'c:undo' }]] },
    });
    expect((withMarkup as Message).reply_markup?.inline_keyboard[0]?.[0]?.text).toBe('Undo');

    const press = fake.callbackQuery({ fromId: 50, messageId: sent.message_id, data: 'c:undo' });
    expect(press.callback_query?.message?.message_id).toBe(sent.message_id);
    expect(await bot.api.answerCallbackQuery(press.callback_query!.id, { text: 'Done' })).toBe(true);
    await expect(bot.api.answerCallbackQuery(press.callback_query!.id)).rejects.toMatchObject({
      error_code: 400,
    });
    expect(await bot.api.sendChatAction(50, 'typing')).toBe(true);
    expect(fake.sent.map((c) => c.method)).toEqual([
      'sendMessage',
      'editMessageText',
      'editMessageReplyMarkup',
      'answerCallbackQuery',
      'sendChatAction',
    ]);
  });

  it('serves files through getFile and accepts uploads with sendDocument', async () => {
    const bot = newBot();
    const update = fake.documentMessage({
      fromId: 60,
      fileName: 'report.pdf',
      mimeType: 'application/pdf',
      content: '%PDF-1.4 hi',
    });
    const file = await bot.api.getFile(update.message!.document!.file_id);
    expect(file.file_size).toBe(11);
    const download = await fetch(`${fake.apiRoot}/file/bot${fake.token}/${file.file_path}`);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).toString()).toBe('%PDF-1.4 hi');
    expect((await fetch(`${fake.apiRoot}/file/bot${fake.token}/nope`)).status).toBe(404);
    await expect(bot.api.getFile('nope')).rejects.toMatchObject({
      description: 'Bad Request: invalid file_id',
    });
    // A file advertised without content cannot be downloaded.
    const noBytes = fake.photoMessage({ fromId: 60 });
    await expect(bot.api.getFile(noBytes.message!.photo!.at(-1)!.file_id)).rejects.toMatchObject({
      error_code: 400,
    });

    const upload = await bot.api.sendDocument(
      60,
      new InputFile(Buffer.from('col1;col2\n1;2\n'), 'hours.csv'),
      {
        caption: 'Hours <b>summary</b>',
        parse_mode: 'HTML',
      },
    );
    expect(upload.document?.file_name).toBe('hours.csv');
    expect(upload.caption).toBe('Hours summary');
    const call = fake.sent.find((c) => c.method === 'sendDocument')!;
    expect(call.files.document?.filename).toBe('hours.csv');
    expect(call.files.document?.content.toString()).toBe('col1;col2\n1;2\n');
    expect(call.params.chat_id).toBe('60');
    const again = await bot.api.getFile(upload.document!.file_id);
    const bytes = await fetch(`${fake.apiRoot}/file/bot${fake.token}/${again.file_path}`);
    expect(await bytes.text()).toBe('col1;col2\n1;2\n');
  });

  it('ends a held getUpdates with 409 when another one comes in', async () => {
    const api = newBot().api;
    const first = api.getUpdates({ timeout: 30 }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = api.getUpdates({ timeout: 0 });
    expect(await first).toMatchObject({ error_code: 409 });
    expect(await second).toEqual([]);
  });

  it('works in webhook mode with the secret token', async () => {
    const bot = newBot();
    const handled: string[] = [];
    bot.on('message:text', async (ctx) => {
      handled.push(ctx.message.text);
      await ctx.reply('got it');
    });
    const server = createServer(webhookCallback(bot, 'http', { secretToken: 'sekr3t_token-1' }));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/telegram`;
    await bot.api.setWebhook(url, { secret_token: 'sekr3t_token-1' });
    expect(fake.webhook).toEqual({ url, secretToken: 'sekr3t_token-1' });
    expect((await bot.api.getWebhookInfo()).url).toBe(url);
    await expect(bot.api.getUpdates()).rejects.toMatchObject({ error_code: 409 });
    await expect(bot.api.setWebhook(url, { secret_token: 'bad secret!' })).rejects.toMatchObject({
      error_code: 400,
    });

    const status = await fake.deliverToWebhook(fake.textMessage({ fromId: 70, text: 'via webhook' }));
    expect(status).toBe(200);
    expect(handled).toEqual(['via webhook']);
    expect(fake.sent.find((c) => c.method === 'sendMessage')?.params).toMatchObject({
      chat_id: 70,
      text: 'got it',
    });

    const wrong = await fake.deliverToWebhook(fake.textMessage({ fromId: 70, text: 'forged' }), {
      secretToken: 'wrong',
    });
    expect(wrong).toBe(401);
    const missing = await fake.deliverToWebhook(fake.textMessage({ fromId: 70, text: 'forged' }), {
      secretToken: null,
    });
    expect(missing).toBe(401);
    expect(handled).toEqual(['via webhook']);

    await bot.api.deleteWebhook();
    expect(fake.webhook).toBeUndefined();
  });
});
