import type { AppConfig } from '../config.js';
import type { ChannelAdapter } from '../core/channel.js';
import type { CoreContext } from '../core/core-context.js';
import type { Logger } from '../logger.js';
import { EmailAdapter } from './email/email-adapter.js';
import { TelegramAdapter } from './telegram/telegram-adapter.js';

/** The adapters of the channels whose settings are present. */
export function createChannelAdapters(
  config: AppConfig,
  logger: Logger,
  core: CoreContext,
): ChannelAdapter[] {
  const adapters: ChannelAdapter[] = [];
  if (config.email) adapters.push(new EmailAdapter(config.email, logger));
  if (config.telegram) {
    adapters.push(
      new TelegramAdapter({
        settings: config.telegram,
        core,
        logger: logger.child({ channel: 'telegram' }),
        maxFileBytes: config.env.MAX_ATTACHMENT_MB * 1024 * 1024,
      }),
    );
  }
  return adapters;
}
