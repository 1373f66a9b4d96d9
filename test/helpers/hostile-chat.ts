import type { MessageEntity } from 'grammy/types';

/**
 * Telegram inputs at the platform's limits, for the stall tests and the bench (issue 17 item 1):
 * the largest text and caption, every character under an entity, entities nested and overlapping.
 */

/** Telegram's limits: a message's text, a media caption, the items of an album. */
export const TELEGRAM_TEXT_MAX = 4096;
export const TELEGRAM_CAPTION_MAX = 1024;
export const TELEGRAM_ALBUM_MAX = 10;

const TYPES = ['bold', 'italic', 'underline', 'strikethrough', 'spoiler', 'code', 'text_link'] as const;

/**
 * `length` characters (astral emoji, accented letters and HTML-special characters, so UTF-16
 * offsets and escaping are exercised) with an entity on every 2 characters and, over them,
 * nested entities of 8 and 64 characters.
 */
export function entityHeavyText(length: number): { text: string; entities: MessageEntity[] } {
  const alphabet = ['à', '<', '&', '>', 'é', '"', 'x', '🙂'];
  let text = '';
  let i = 0;
  while (text.length < length) {
    const next = alphabet[i++ % alphabet.length]!;
    if (text.length + next.length > length) break;
    text += next;
  }
  const entities: MessageEntity[] = [];
  const add = (offset: number, size: number, n: number) => {
    const type = TYPES[n % TYPES.length]!;
    const end = Math.min(text.length, offset + size);
    if (end <= offset) return;
    entities.push(
      type === 'text_link'
        ? { type, offset, length: end - offset, url: `https://example.org/${n}?a=<b>&c="d"` }
        : { type, offset, length: end - offset },
    );
  };
  for (let offset = 0, n = 0; offset < text.length; offset += 64, n++) add(offset, 64, n);
  for (let offset = 0, n = 1; offset < text.length; offset += 8, n++) add(offset, 8, n);
  for (let offset = 0, n = 2; offset < text.length; offset += 2, n++) add(offset, 2, n);
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text, entities };
}
