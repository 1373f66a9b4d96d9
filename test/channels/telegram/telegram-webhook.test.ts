import { describe, expect, it, vi } from 'vitest';
import { TelegramAdapter } from '../../../src/channels/telegram/telegram-adapter.js';
import { FakeTelegramApi, telegramErrors } from '../../helpers/fake-telegram-api.js';
import { startTestApp } from '../../helpers/test-app.js';
import { createTestStore } from '../../helpers/test-database.js';
import {
  freePort,
  getTicket,
  linkedCustomer,
  newUserId,
  sentTo,
  shownText,
  startTelegramApp,
  storedInbound,
  ticketNumberIn,
  useTelegramApp,
  waitForText,
} from './telegram-kit.js';

const SECRET = 'webhook-secret_0123456789';
let webhookUrl: string;

const tg = useTelegramApp({
  app: async () => {
    const port = await freePort();
    webhookUrl = `http://127.0.0.1:${port}/telegram/webhook`;
    return { port, webhook: { url: webhookUrl, secret: SECRET } };
  },
});

describe('Telegram adapter, webhook mode, whole app', () => {
  it('registers the webhook with its secret and the updates it wants, and does not poll', () => {
    expect(tg.fake.webhook).toEqual({
      url: webhookUrl,
      secretToken: SECRET,
      allowedUpdates: ['message', 'edited_message', 'callback_query'],
    });
    expect(tg.fake.stats.getUpdatesCalls).toBe(0);
  });

  it('refuses a wrong secret with 401 and stores nothing; stores the same update with the right one', async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId);
    const update = tg.fake.textMessage({ fromId: userId, text: 'Dal webhook' });
    const externalId = `${userId}:${update.message!.message_id}`;
    expect(await tg.fake.deliverToWebhook(update, { secretToken: 'wrong-secret' })).toBe(401);
    expect(await tg.fake.deliverToWebhook(update, { secretToken: null })).toBe(401);
    expect(await storedInbound(tg.t.app, externalId)).toBe(0);

    expect(await tg.fake.deliverToWebhook(update)).toBe(200);
    expect(await storedInbound(tg.t.app, externalId)).toBe(1);
    const ack = await waitForText(tg.fake, userId, 'abbiamo ricevuto');
    const view = await getTicket(tg.t.app, ticketNumberIn(shownText(ack)));
    expect(view.messages[0]!.newText).toBe('Dal webhook');

    // Telegram delivering it again: still one message, one acknowledgement.
    expect(await tg.fake.deliverToWebhook(update)).toBe(200);
    await tg.t.app.settle();
    expect(await storedInbound(tg.t.app, externalId)).toBe(1);
    expect(sentTo(tg.fake, userId)).toHaveLength(1);
  });

  it('answers 503 while the store is down, so Telegram delivers the update again', async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId);
    const update = tg.fake.textMessage({ fromId: userId, text: 'Riprova' });
    tg.t.flaky.failures = 1;
    expect(await tg.fake.deliverToWebhook(update)).toBe(503);
    expect(await storedInbound(tg.t.app, `${userId}:${update.message!.message_id}`)).toBe(0);
    expect(await tg.fake.deliverToWebhook(update)).toBe(200);
    expect(await storedInbound(tg.t.app, `${userId}:${update.message!.message_id}`)).toBe(1);
    await waitForText(tg.fake, userId, 'abbiamo ricevuto');
  });

  it('handles commands and buttons through the webhook', async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId);
    expect(await tg.fake.deliverToWebhook(tg.fake.commandMessage({ fromId: userId, command: 'help' }))).toBe(
      200,
    );
    const help = await waitForText(tg.fake, userId, '/tickets');
    expect(shownText(help)).toContain('Scriva qui la sua richiesta');
    expect(
      await tg.fake.deliverToWebhook(tg.fake.commandMessage({ fromId: userId, command: 'nonesiste' })),
    ).toBe(200);
    await waitForText(tg.fake, userId, 'Non conosco questo comando');
  });
});

describe('Telegram adapter start-up checks', () => {
  it('fails to start when Telegram refuses the webhook, saying which setting to fix', async () => {
    const other = await FakeTelegramApi.start();
    other.failNext('setWebhook', {
      error_code: 400,
      description: 'Bad Request: bad webhook: HTTPS url must be provided',
    });
    const store = await createTestStore();
    try {
      await expect(
        startTestApp({
          store,
          adapters: (_context, core) => [
            new TelegramAdapter({
              settings: {
                token: other.token,
                apiRoot: other.apiRoot,
                webhook: { url: 'http://x.test/tg', secret: 's' },
              },
              core,
            }),
          ],
        }),
      ).rejects.toThrow(/PUBLIC_URL/);
    } finally {
      await other.close();
      await store.drop();
    }
  });

  it('fails to start with a token Telegram rejects', async () => {
    const other = await FakeTelegramApi.start();
    const store = await createTestStore();
    try {
      await expect(
        startTestApp({
          store,
          adapters: (_context, core) => [
            new TelegramAdapter({ settings: { token: '123:not-the-token', apiRoot: other.apiRoot }, core }),
          ],
        }),
      ).rejects.toThrow(/TELEGRAM_BOT_TOKEN/);
    } finally {
      await other.close();
      await store.drop();
    }
  });

  it('keeps polling through poll errors (409, 502) and still receives updates', async () => {
    const other = await FakeTelegramApi.start();
    other.failNext('getUpdates', {
      error_code: 409,
      description: 'Conflict: terminated by other getUpdates request',
    });
    other.failNext('getUpdates', telegramErrors.badGateway());
    const app = await startTelegramApp(other);
    try {
      const userId = newUserId();
      other.queueUpdate(other.textMessage({ fromId: userId, text: 'Ciao' }));
      await waitForText(other, userId, 'colleghi questa chat con /link');
      await vi.waitFor(() => expect(other.stats.getUpdatesCalls).toBeGreaterThanOrEqual(3));
    } finally {
      await app.app.close();
      await other.close();
    }
  });

  it('files an album delivered in concurrent webhook calls as one message that asks once', async () => {
    const userId = newUserId();
    await linkedCustomer(tg.t.app, userId);
    for (const text of ['Server lento', 'Posta bloccata']) {
      expect(
        await tg.fake.deliverToWebhook(
          tg.fake.commandMessage({ fromId: userId, command: 'new', args: text }),
        ),
      ).toBe(200);
      await waitForText(tg.fake, userId, text);
    }
    const before = sentTo(tg.fake, userId).length;
    const album = tg.fake.albumMessages({
      fromId: userId,
      items: [
        { kind: 'photo', content: 'uno', caption: 'Errori nel registro' },
        { kind: 'document', content: 'due', fileName: 'eventi.evtx' },
      ],
    });
    const statuses = await Promise.all(album.map((update) => tg.fake.deliverToWebhook(update)));
    expect(statuses).toEqual([200, 200]);
    await waitForText(tg.fake, userId, 'A quale si riferisce questo messaggio?');
    await tg.t.app.settle();
    expect(sentTo(tg.fake, userId).length - before).toBe(1);
    const { rows } = await tg.t.app.database.sql.query<{ n: number }>(
      `select count(*)::int as n from attachments a join messages m on m.id = a.message_id
       where m.channel = 'telegram' and m.external_id = $1`,
      [`${userId}:${album[0]!.message!.message_id}`],
    );
    expect(rows[0]!.n).toBe(2);
  });
});
