/**
 * Webhook mode: the route on the app's web server (grammY checks the secret token header and
 * answers 401 when it is wrong) and the `setWebhook` registration, verified with
 * `getWebhookInfo`.
 */
import type { FastifyInstance } from 'fastify';
import { type Bot, BotError, webhookCallback } from 'grammy';
import type { TelegramSettings } from '../../config.js';
import { TelegramWebhookError, TelegramWebhookMismatchError } from '../../core/errors.js';
import type { Logger } from '../../logger.js';
import { describeError } from './telegram-errors.js';
import { ALLOWED_UPDATES } from './telegram-polling.js';

export type WebhookSettings = NonNullable<TelegramSettings['webhook']>;

/**
 * POST on the path of `webhook.url`. An update that could not be handled now gets 503, so
 * Telegram delivers it again later; a handled (or kept-as-failed) one gets 200.
 */
export function registerWebhookRoute(
  server: FastifyInstance,
  options: { bot: Bot; webhook: WebhookSettings; logger: Logger; isRunning: () => boolean },
): void {
  const { logger } = options;
  const callback = webhookCallback(options.bot, 'fastify', {
    secretToken: options.webhook.secret,
    onTimeout: 'throw',
    timeoutMilliseconds: 50_000,
  });
  server.post(new URL(options.webhook.url).pathname, async (request, reply) => {
    if (!options.isRunning()) {
      return reply.code(503).send({ error: 'unavailable', message: 'the Telegram channel is stopped' });
    }
    try {
      await callback(request, reply);
    } catch (error) {
      const cause = error instanceof BotError ? error.error : error;
      logger.warn(
        { reason: describeError(cause) },
        'telegram: webhook update not handled; Telegram will retry',
      );
      if (!reply.sent) return reply.code(503).send({ error: 'retry_later' });
    }
    return reply;
  });
}

/** Registers the webhook with Telegram and checks that Telegram now reports that URL. */
export async function setUpWebhook(bot: Bot, webhook: WebhookSettings, logger: Logger): Promise<void> {
  try {
    await bot.api.setWebhook(webhook.url, {
      secret_token: webhook.secret,
      allowed_updates: [...ALLOWED_UPDATES],
    });
  } catch (error) {
    throw new TelegramWebhookError(
      `Telegram refused the webhook ${webhook.url}: ${describeError(error)}; PUBLIC_URL must be this server's public https address`,
    );
  }
  const info = await bot.api.getWebhookInfo();
  if (info.url !== webhook.url) {
    throw new TelegramWebhookMismatchError(
      `Telegram reports the webhook as "${info.url}", not "${webhook.url}": is another instance using this bot token?`,
    );
  }
  if (info.last_error_message) {
    logger.warn(
      { lastError: info.last_error_message },
      'telegram: Telegram reports an earlier webhook error',
    );
  }
  logger.info({ url: webhook.url }, 'telegram: webhook set');
}
