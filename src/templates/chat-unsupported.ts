import type { Locale, RenderedMessage } from './format.js';
import { rendered } from './format.js';

/** What a chat user reads when a message kind cannot be a ticket message. Italian first. */

const KIND_NAMES: Record<Locale, Record<string, string>> = {
  it: {
    dice: 'dado',
    game: 'gioco',
    invoice: 'richiesta di pagamento',
    paid_media: 'contenuto a pagamento',
    giveaway: 'concorso a premi',
    giveaway_winners: 'vincitori di un concorso',
    passport_data: 'Telegram Passport',
    rich_message: 'messaggio speciale',
  },
  en: {
    dice: 'dice',
    game: 'game',
    invoice: 'payment request',
    paid_media: 'paid content',
    giveaway: 'giveaway',
    giveaway_winners: 'giveaway winners',
    passport_data: 'Telegram Passport',
    rich_message: 'special message',
  },
};

/** One line telling a chat user that a message of this Telegram kind (`dice`, `game`…) cannot
 * be added to a ticket, and what to send instead. */
export function unsupportedMessage(kind: string, locale: Locale): RenderedMessage {
  const name = KIND_NAMES[locale][kind];
  if (locale === 'en') {
    return rendered(
      `We cannot add ${name ? `a message of this kind (${name})` : 'this kind of message'} to a support request: please write a text, or send a photo or a file.`,
    );
  }
  return rendered(
    `Non possiamo aggiungere ${name ? `un messaggio di questo tipo (${name})` : 'questo tipo di messaggio'} a una richiesta di assistenza: ci scriva un testo, oppure mandi una foto o un file.`,
  );
}
