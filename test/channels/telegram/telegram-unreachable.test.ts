import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegramApi } from '../../helpers/fake-telegram-api.js';
import { startTelegramApp, type TelegramTestApp } from './telegram-kit.js';

let fake: FakeTelegramApi;
let started: TelegramTestApp | undefined;

beforeAll(async () => {
  fake = await FakeTelegramApi.start();
});

afterAll(async () => {
  await started?.app.close();
  await fake.close();
});

describe('Telegram unreachable at start', () => {
  it('does not keep the app from starting, and polls once the Bot API answers again', async () => {
    // grammY retries getMe for ever on 5xx and network errors; the start must not wait for it.
    fake.failNext('getMe', { error_code: 502, description: 'Bad Gateway' }, 1_000_000);
    started = await startTelegramApp(fake, { adapter: { initTimeoutMs: 300 } });
    const health = await fetch(`${started.app.url}/healthz`);
    expect([200, 503]).toContain(health.status);

    fake.clearFailures('getMe');
    const deadline = Date.now() + 15_000;
    // Polling starts with getMe, then deleteWebhook, then the long poll (recorded when it ends).
    while (!fake.calls.some((call) => call.method === 'deleteWebhook' && call.ok)) {
      if (Date.now() > deadline) throw new Error('the bot never polled after the Bot API came back');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(fake.calls.some((call) => call.method === 'getMe' && call.ok)).toBe(true);
  });
});
