/**
 * The bot's own conversation: commands (`/start [code]`, `/link`, `/new`, `/tickets`, `/help`,
 * `/lang`) and the ticket-choice buttons. Everything the customer reads comes from
 * `templates/chat-messages.ts`, in the linked customer's language, else the Telegram client's.
 */

import type { Api } from 'grammy';
import {
  type ChatIdentity,
  customerOf,
  openTicketsOf,
  redeemLinkCode,
  requestLinkByEmail,
  resolveTicketChoice,
  setCustomerLocale,
} from '../../core/chat-operations.js';
import { parseConsentButton } from '../../core/consent/answer-rule.js';
import { answerConsentButton, buttonAnswerText } from '../../core/consent/consent-buttons.js';
import type { CoreContext } from '../../core/core-context.js';
import type { Logger } from '../../logger.js';
import {
  type ChatAccountData,
  chatHelp,
  chatNotLinked,
  chatWelcome,
  choiceFailed,
  choiceNothingPending,
  languageChanged,
  languageUsage,
  linkRateLimited,
  linkRequested,
  linkResult,
  linkUsage,
  newTicketNeedsText,
  openTicketsList,
  ticketChosen,
  unknownCommand,
} from '../../templates/chat-messages.js';
import { unsupportedMessage } from '../../templates/chat-unsupported.js';
import { escapeChatMarkup, type Locale, toLocale } from '../../templates/format.js';
import type {
  TelegramCallbackEvent,
  TelegramCommandEvent,
  TelegramEventBase,
  TelegramUnsupportedEvent,
} from './parse-update.js';
import { describeError } from './telegram-errors.js';

/** What the commands need from the adapter. */
export interface CommandDeps {
  core: CoreContext;
  api: Api;
  logger: Logger;
  /** Sends a plain text to a chat (escaped and split by the adapter), best effort. */
  reply(chatId: string, text: string, replyToMessageId?: number): Promise<void>;
  /** Hands a message to the core like a plain one (`/new text` with `forceNew`). */
  ingestText(event: TelegramCommandEvent, text: string, options: { forceNew: boolean }): Promise<void>;
  /** `https://t.me/<bot>?start=<code>`. */
  deepLink(code: string): string;
}

/** The identity of a Telegram user: kind `telegram`, address = the user id. */
export function identityOf(event: TelegramEventBase): ChatIdentity {
  return { kind: 'telegram', address: event.fromId, displayName: event.displayName };
}

/** A stored customer's locale wins; otherwise the Telegram client language (`en…` → English),
 * otherwise the default. */
export function localeFrom(
  customerLocale: Locale | undefined,
  languageCode: string | undefined,
  fallback: Locale,
) {
  if (customerLocale) return customerLocale;
  return languageCode ? toLocale(languageCode) : fallback;
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** Handles one command; unknown commands get a pointer to /help. */
export async function handleCommand(event: TelegramCommandEvent, deps: CommandDeps): Promise<void> {
  const { core } = deps;
  const identity = identityOf(event);
  const customer = await customerOf(core, identity);
  const locale = localeFrom(customer?.locale, event.languageCode, core.settings.defaultLocale);
  const account: ChatAccountData = {
    registerUrl: `${core.settings.publicUrl}/register`,
    companyName: core.settings.companyName,
  };
  const answer = (text: string) => deps.reply(event.chatId, text, event.messageId);

  switch (event.command) {
    case 'start': {
      const code = event.args.split(/\s+/)[0] ?? '';
      if (!code) {
        await answer(chatWelcome({ ...account, customerName: customer?.name }, locale).text);
        return;
      }
      const result = await redeemLinkCode(core, code, identity);
      if (result.status === 'linked') {
        await answer(linkResult('linked', { customerName: result.customerName }, result.locale).text);
      } else {
        await answer(linkResult(result.status, {}, locale).text);
      }
      return;
    }
    case 'link': {
      const email = event.args.trim();
      if (!EMAIL.test(email)) {
        await answer(linkUsage(locale).text);
        return;
      }
      const outcome = await requestLinkByEmail(core, email, identity, (code) => deps.deepLink(code));
      await answer((outcome === 'rate_limited' ? linkRateLimited(locale) : linkRequested(locale)).text);
      return;
    }
    case 'new': {
      if (!event.args && !event.files?.length) {
        await answer(newTicketNeedsText(locale).text);
        return;
      }
      // Unlinked senders too: the core keeps their message as unmatched and answers them.
      await deps.ingestText(event, event.args, { forceNew: true });
      return;
    }
    case 'tickets': {
      const open = customer ? await openTicketsOf(core, identity) : undefined;
      await answer(
        open ? openTicketsList({ tickets: open }, locale).text : chatNotLinked(account, locale).text,
      );
      return;
    }
    case 'help':
      await answer(chatHelp({ ...account, linked: customer !== undefined }, locale).text);
      return;
    case 'lang': {
      const wanted = event.args.trim().toLowerCase();
      if (wanted !== 'it' && wanted !== 'en') {
        await answer(languageUsage(locale).text);
        return;
      }
      const changed = customer ? await setCustomerLocale(core, identity, wanted) : false;
      await answer(changed ? languageChanged(wanted).text : chatNotLinked(account, locale).text);
      return;
    }
    default:
      await answer(unknownCommand(locale).text);
  }
}

/**
 * A ticket-choice button (`ticket:<n>`): the held messages go to ticket n, the question is edited
 * to say where. The callback query is always answered, even when handling fails (the error is
 * rethrown afterwards so the update is retried), so the user's button stops spinning.
 */
export async function handleTicketButton(event: TelegramCallbackEvent, deps: CommandDeps): Promise<void> {
  const { core, api, logger } = deps;
  let answered = false;
  const answer = async (text?: string) => {
    if (answered) return;
    answered = true;
    try {
      await api.answerCallbackQuery(event.callbackQueryId, text ? { text: text.slice(0, 200) } : {});
    } catch (error) {
      logger.warn({ reason: describeError(error) }, 'telegram: could not answer a button press');
    }
  };
  let locale = localeFrom(undefined, event.languageCode, core.settings.defaultLocale);
  try {
    const consent = parseConsentButton(event.data);
    if (consent) {
      // SÌ / NO / STOP on a remote-access request (T4, T5): the core decides, the toast says what happened.
      const pressed = await answerConsentButton(core, { ...consent, sender: identityOf(event) });
      await answer(buttonAnswerText(pressed.outcome, pressed.locale));
      return;
    }
    const match = /^ticket:(\d{1,9})$/.exec(event.data);
    if (!match) return;
    const identity = identityOf(event);
    const outcome = await resolveTicketChoice(core, 'telegram', identity, Number(match[1]));
    const customer = await customerOf(core, identity);
    locale = localeFrom(customer?.locale, event.languageCode, core.settings.defaultLocale);
    if (outcome?.status !== 'threaded') {
      await answer(choiceNothingPending(locale).text);
      return;
    }
    const subject = (await openTicketsOf(core, identity))?.find(
      (t) => t.number === outcome.ticketNumber,
    )?.subject;
    const text = ticketChosen({ ticketNumber: outcome.ticketNumber, subject }, locale).text;
    await answer(text);
    try {
      await api.editMessageText(event.chatId, event.messageId, escapeChatMarkup(text), {
        parse_mode: 'HTML',
      });
    } catch (error) {
      logger.warn({ reason: describeError(error) }, 'telegram: could not edit the ticket-choice question');
    }
  } catch (error) {
    await answer(choiceFailed(locale).text);
    throw error;
  } finally {
    await answer();
  }
}

/**
 * A message of a kind that cannot be a ticket message (a dice, a game, an invoice…): in a private
 * chat the sender is told in one line, in their language; in a group nobody is (the bot would
 * answer every dice thrown there). The adapter logs it either way.
 */
export async function tellUnsupported(event: TelegramUnsupportedEvent, deps: CommandDeps): Promise<void> {
  if (event.chatType !== 'private') return;
  const customer = await customerOf(deps.core, identityOf(event));
  const locale = localeFrom(customer?.locale, event.languageCode, deps.core.settings.defaultLocale);
  await deps.reply(event.chatId, unsupportedMessage(event.kind, locale).text, event.messageId);
}
