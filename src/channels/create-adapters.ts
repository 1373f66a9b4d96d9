import type { AppConfig } from '../config.js';
import type { ChannelAdapter } from '../core/channel.js';
import type { CoreContext } from '../core/core-context.js';
import type { Logger } from '../logger.js';

/**
 * Loads the modules of the channels whose settings are present, and only those: the email stack
 * (imapflow, mailparser, nodemailer, HTML sanitising) and grammY take ~13 and ~7 MB once loaded;
 * Bolt (Slack) brings its Web API client, Socket Mode and express.
 * Returns the factory of their adapters.
 */
export async function loadChannelAdapters(
  config: AppConfig,
  logger: Logger,
): Promise<(core: CoreContext) => ChannelAdapter[]> {
  const email = config.email && (await import('./email/email-adapter.js'));
  const telegram = config.telegram && (await import('./telegram/telegram-adapter.js'));
  const slack = config.slack && (await import('./slack/slack-adapter.js'));
  const web = config.web && (await import('./web/web-adapter.js'));
  return (core) => {
    const adapters: ChannelAdapter[] = [];
    if (config.email && email) adapters.push(new email.EmailAdapter(config.email, logger));
    if (config.telegram && telegram) {
      adapters.push(
        new telegram.TelegramAdapter({
          settings: config.telegram,
          core,
          logger: logger.child({ channel: 'telegram' }),
          maxFileBytes: config.env.MAX_ATTACHMENT_MB * 1024 * 1024,
        }),
      );
    }
    if (config.slack && slack) {
      adapters.push(
        new slack.SlackAdapter({
          settings: config.slack,
          core,
          logger: logger.child({ channel: 'slack' }),
          timeZone: config.calendar.timeZone,
          maxFileBytes: config.env.MAX_ATTACHMENT_MB * 1024 * 1024,
          pollMs: Math.min(config.env.WORKER_POLL_MS, 500),
          // Technicians' files go to the customer within the customer channel's limits.
          attachmentLimitsOf: (channel) => adapters.find((a) => a.name === channel)?.attachmentLimits,
        }),
      );
    }
    if (config.web && web) {
      adapters.push(
        new web.WebAdapter({
          core,
          settings: config.web,
          logger: logger.child({ channel: 'web' }),
          email: () => adapters.find((adapter) => adapter.name === 'email'),
          linkFor: (kind, code) => {
            const chat = adapters.find((adapter) => adapter.name === kind) as
              | Partial<{ deepLink(code: string): string }>
              | undefined;
            return chat?.deepLink?.(code);
          },
          chatOn: (kind) => adapters.some((adapter) => adapter.name === kind),
        }),
      );
    }
    return adapters;
  };
}
