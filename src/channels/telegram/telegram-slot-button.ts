import { customerOf } from '../../core/chat-operations.js';
import { bookingAnswer, pressSlotButton } from '../../core/slot-answers.js';
import { type CommandDeps, identityOf, localeFrom } from './telegram-commands.js';
import { describeError } from './telegram-errors.js';
import type { TelegramCallbackEvent } from './telegram-events.js';

/**
 * A slot button (`slot:<offerId>:<n>`, #23): books slot n for the customer who pressed it (only
 * the ticket's customer may). The callback query is always answered so the button stops spinning.
 */
export async function handleSlotButton(event: TelegramCallbackEvent, deps: CommandDeps): Promise<void> {
  const { core, api, logger } = deps;
  const customer = await customerOf(core, identityOf(event));
  const locale = localeFrom(customer?.locale, event.languageCode, core.settings.defaultLocale);
  let text: string | undefined;
  try {
    const result = await pressSlotButton(core, customer?.id, event.data, `telegram:${event.fromId}`);
    if (result) text = bookingAnswer(result, locale);
  } finally {
    try {
      await api.answerCallbackQuery(event.callbackQueryId, text ? { text: text.slice(0, 200) } : {});
    } catch (error) {
      logger.warn({ reason: describeError(error) }, 'telegram: could not answer a slot button press');
    }
  }
}
