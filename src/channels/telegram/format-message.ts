/**
 * Pure rendering of the core's outbound messages for Telegram (HTML parse mode): escaping,
 * splitting long texts into messages that fit, inline keyboards and reply threading.
 * No I/O and no grammY runtime code here.
 */
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import type { OutboundButton, OutboundMessage } from '../../core/channel.js';
import { DeliveryError } from '../../core/errors.js';
import { escapeChatMarkup } from '../../templates/format.js';

/** Telegram's limit for one message text. */
export const TELEGRAM_TEXT_LIMIT = 4096;
/** Telegram's limit for `callback_data` of an inline button, in UTF-8 bytes. */
export const CALLBACK_DATA_MAX_BYTES = 64;
/** The smallest limit `splitText` accepts: one escaped `&` (`&amp;`) must always fit. */
const MIN_LIMIT = 8;

/** Length of `escapeChatMarkup(char)` for one UTF-16 code unit. */
function escapedCost(code: number): number {
  if (code === 38) return 5; // &amp;
  if (code === 60 || code === 62) return 4; // &lt; &gt;
  return 1;
}

export interface SplitOptions {
  /** A smaller limit for the first chunk (room for a prefix line such as the ticket number). */
  firstLimit?: number;
}

/** Built on first use: ICU's segmentation data stays out of memory until a message needs splitting. */
let graphemes: Intl.Segmenter | undefined;

interface Cut {
  /** The chunk is `rest.slice(0, end)`. */
  end: number;
  /** The next chunk starts at `rest.slice(next)` (separators in between are dropped). */
  next: number;
}

/** The last match of `pattern` (global) that starts after 0 and at or before `max`. Only the
 * first `max + 1` code units are searched, so splitting a long text stays linear. */
function lastBreak(rest: string, pattern: RegExp, max: number): Cut | undefined {
  const window = rest.slice(0, max + 1);
  let start = -1;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(window); m !== null; m = pattern.exec(window)) {
    if (m.index > 0) start = m.index;
    if (m[0].length === 0) pattern.lastIndex++;
  }
  if (start < 0) return undefined;
  // The separator may run past the window: measure it on the whole text.
  const sticky = new RegExp(pattern.source, 'y');
  sticky.lastIndex = start;
  const length = sticky.exec(rest)?.[0].length ?? 0;
  return { end: start, next: start + length };
}

const isAscii = (code: number) => code < 0x80;

/** A cut at or before `max` that never splits a grapheme (so never a surrogate pair). */
function hardCut(rest: string, max: number): Cut {
  // Between two ASCII characters there is always a grapheme boundary (CR LF is normalised away).
  if (isAscii(rest.charCodeAt(max - 1)) && isAscii(rest.charCodeAt(max))) return { end: max, next: max };
  // Segment only near the cut, from a point that is surely a boundary (two ASCII characters).
  let from = Math.max(0, max - 128);
  while (from > 0 && !(isAscii(rest.charCodeAt(from - 1)) && isAscii(rest.charCodeAt(from)))) from--;
  let end = 0;
  const window = rest.slice(from, Math.min(rest.length, max + 64));
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  for (const segment of graphemes.segment(window)) {
    if (from + segment.index > max) break;
    end = from + segment.index;
  }
  if (end === 0) {
    // One grapheme longer than the limit (absurd combining sequences): cut between code points.
    end = max;
    const code = rest.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end--;
  }
  if (end <= 0) throw new RangeError('splitText: limit too small to make progress');
  return { end, next: end };
}

/** Where to cut `rest`, whose first `fit` code units fit the limit once escaped. */
function findCut(rest: string, fit: number): Cut {
  // A separator may start exactly at `fit`: the chunk before it still fits.
  const paragraph = lastBreak(rest, /[ \t]*\n(?:[ \t]*\n)+/g, fit);
  const line = lastBreak(rest, /[ \t]*\n/g, fit);
  const space = lastBreak(rest, /[ \t]+/g, fit);
  // Prefer the coarsest boundary that still leaves a reasonably full chunk, so a short first
  // paragraph followed by a huge one does not produce a tiny message.
  const half = Math.floor(fit / 2);
  for (const cut of [paragraph, line, space]) {
    if (cut && cut.end >= half) return cut;
  }
  const best = [paragraph, line, space]
    .filter((cut): cut is Cut => cut !== undefined)
    .sort((a, b) => b.end - a.end)[0];
  return best ?? hardCut(rest, fit);
}

/** How many leading code units of `text` fit in `limit` once escaped. */
function fittingLength(text: string, limit: number): number {
  let total = 0;
  for (let i = 0; i < text.length; i++) {
    total += escapedCost(text.charCodeAt(i));
    if (total > limit) return i;
  }
  return text.length;
}

/**
 * Splits a plain text into chunks whose HTML-escaped form is at most `limit` UTF-16 code units:
 * at paragraph boundaries (blank lines) first, then line breaks, then spaces, and only as a last
 * resort inside a word (never inside a grapheme, so never inside a surrogate pair). The
 * separators at a cut are dropped, trailing whitespace is trimmed, and blank chunks are never
 * returned (an all-blank text gives `[]`). Line endings are normalised to `\n`.
 *
 * The chunks are NOT escaped: pass each through `escapeChatMarkup`. (Telegram itself counts the limit
 * after entity parsing, so measuring escaped text is conservative.)
 */
export function splitText(text: string, limit = TELEGRAM_TEXT_LIMIT, options: SplitOptions = {}): string[] {
  const firstLimit = options.firstLimit ?? limit;
  for (const value of [limit, firstLimit]) {
    if (!Number.isInteger(value) || value < MIN_LIMIT) {
      throw new RangeError(`splitText: limit must be an integer >= ${MIN_LIMIT}, got ${value}`);
    }
  }
  const chunks: string[] = [];
  let rest = text
    .replace(/\r\n?/g, '\n')
    .replace(/^(?:[ \t]*\n)+/, '')
    .trimEnd();
  while (rest.length > 0) {
    const max = chunks.length === 0 ? firstLimit : limit;
    const fit = fittingLength(rest, max);
    if (fit >= rest.length) {
      chunks.push(rest);
      break;
    }
    const cut = findCut(rest, fit);
    const chunk = rest.slice(0, cut.end).trimEnd();
    if (chunk.length > 0) chunks.push(chunk);
    rest = rest.slice(cut.next).replace(/^(?:[ \t]*\n)+/, '');
  }
  return chunks;
}

/** One `sendMessage` worth of text, ready to merge with `chat_id`. */
export interface TelegramTextPart {
  text: string;
  parse_mode: 'HTML';
  reply_markup?: InlineKeyboardMarkup;
  reply_parameters?: { message_id: number; allow_sending_without_reply: true };
}

export interface RenderOptions {
  /** Maximum length of each part's `text` (escaped, tags included). Default 4096. */
  limit?: number;
  /** Word before the ticket number in the prefix line. Default `Ticket`. */
  ticketLabel?: string;
}

const utf8 = new TextEncoder();

function inlineKeyboard(rows: OutboundButton[][]): InlineKeyboardMarkup | undefined {
  const keyboard: InlineKeyboardButton[][] = [];
  for (const row of rows) {
    const out: InlineKeyboardButton[] = [];
    for (const button of row) {
      if (button.label.trim().length === 0) {
        throw new DeliveryError('permanent', 'telegram: an inline button has an empty label');
      }
      const bytes = utf8.encode(button.data).length;
      if (bytes < 1 || bytes > CALLBACK_DATA_MAX_BYTES) {
        throw new DeliveryError(
          'permanent',
          `telegram: callback data of button "${button.label}" is ${bytes} bytes; Telegram needs 1 to ${CALLBACK_DATA_MAX_BYTES} bytes`,
        );
      }
      out.push({ text: button.label, callback_data: button.data });
    }
    if (out.length > 0) keyboard.push(out);
  }
  return keyboard.length > 0 ? { inline_keyboard: keyboard } : undefined;
}

/**
 * Renders an outbound message as one or more Telegram text messages (HTML parse mode) from
 * `message.text`. The first part starts with a bold `Ticket #N` line unless the text already
 * mentions `#N`, and replies to `threading.inReplyTo` when that is a message of the same chat;
 * only the last part carries the inline keyboard. Throws a permanent `DeliveryError` for a
 * message with no text or invalid buttons (callback data over 64 bytes).
 */
export function renderOutbound(message: OutboundMessage, options: RenderOptions = {}): TelegramTextPart[] {
  const limit = options.limit ?? TELEGRAM_TEXT_LIMIT;
  const keyboard = message.buttons ? inlineKeyboard(message.buttons) : undefined;

  const ticket = message.ticket?.number;
  const mentionsTicket = ticket !== undefined && new RegExp(`#${ticket}(?!\\d)`).test(message.text);
  const prefix =
    ticket !== undefined && !mentionsTicket
      ? `<b>${escapeChatMarkup(`${options.ticketLabel ?? 'Ticket'} #${ticket}`)}</b>`
      : undefined;

  const chunks = splitText(message.text, limit, {
    firstLimit: prefix === undefined ? limit : limit - prefix.length - 1,
  });
  const texts = chunks.map(escapeChatMarkup);
  if (prefix !== undefined) {
    if (texts.length === 0) texts.push(prefix);
    else texts[0] = `${prefix}\n${texts[0]}`;
  }
  if (texts.length === 0) {
    throw new DeliveryError('permanent', `telegram: outbound message ${message.deliveryId} has no text`);
  }

  const chat = message.threading.conversationId ?? message.recipient.address;
  const replyTo = message.threading.inReplyTo ? tryParseExternalId(message.threading.inReplyTo) : undefined;
  const replyParameters =
    replyTo && replyTo.chatId === chat
      ? { message_id: replyTo.messageId, allow_sending_without_reply: true as const }
      : undefined;

  return texts.map((text, index) => {
    const part: TelegramTextPart = { text, parse_mode: 'HTML' };
    if (index === 0 && replyParameters) part.reply_parameters = replyParameters;
    if (index === texts.length - 1 && keyboard) part.reply_markup = keyboard;
    return part;
  });
}

/** A Telegram message's place: chat id (may be negative) and message id within the chat. */
export interface TelegramExternalId {
  chatId: string;
  messageId: number;
}

const EXTERNAL_ID = /^(-?\d+):(\d+)$/;

/** `'123:45'` → `{ chatId: '123', messageId: 45 }`, or `undefined` when it is not one. */
export function tryParseExternalId(externalId: string): TelegramExternalId | undefined {
  const match = EXTERNAL_ID.exec(externalId);
  if (!match) return undefined;
  const messageId = Number(match[2]);
  if (!Number.isSafeInteger(messageId) || messageId <= 0) return undefined;
  return { chatId: match[1]!, messageId };
}

/** `formatExternalId(123, 45)` → `'123:45'`. */
export function formatExternalId(chatId: string | number, messageId: number): string {
  return `${chatId}:${messageId}`;
}
