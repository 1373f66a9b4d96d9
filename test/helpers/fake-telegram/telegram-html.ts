/**
 * Telegram's HTML parse mode, as far as the fake needs it: the plain text a message becomes, and
 * Telegram's 400 "can't parse entities" errors for unsupported, unmatched or unclosed tags.
 */
import { bad } from './api-errors.js';

const HTML_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'span',
  'tg-spoiler',
  'a',
  'tg-emoji',
  'code',
  'pre',
  'blockquote',
]);

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

/** Parses Telegram HTML into its plain text, throwing Telegram's errors for bad markup. */
export function parseHtml(html: string): string {
  let text = '';
  const open: string[] = [];
  let i = 0;
  const byteOffset = (index: number) => Buffer.byteLength(html.slice(0, index));
  while (i < html.length) {
    const c = html[i]!;
    if (c === '<') {
      const end = html.indexOf('>', i);
      if (end < 0) throw bad(`can't parse entities: Unclosed start tag at byte offset ${byteOffset(i)}`);
      const inner = html.slice(i + 1, end);
      if (inner.startsWith('/')) {
        const name = inner.slice(1).trim().toLowerCase();
        const expected = open.pop();
        if (expected !== name) {
          throw bad(
            `can't parse entities: Unmatched end tag at byte offset ${byteOffset(i)}, expected "</${expected ?? ''}>", found "</${name}>"`,
          );
        }
      } else {
        const name = (/^[a-zA-Z][\w-]*/.exec(inner)?.[0] ?? '').toLowerCase();
        if (!HTML_TAGS.has(name)) {
          throw bad(`can't parse entities: Unsupported start tag "${name}" at byte offset ${byteOffset(i)}`);
        }
        open.push(name);
      }
      i = end + 1;
    } else if (c === '&') {
      const match = /^&(?:#(\d+)|#x([0-9a-fA-F]+)|([a-zA-Z]+));/.exec(html.slice(i, i + 12));
      if (match?.[1] || match?.[2]) {
        text += String.fromCodePoint(match[1] ? Number(match[1]) : Number.parseInt(match[2]!, 16));
        i += match[0].length;
      } else if (match?.[3] && NAMED_ENTITIES[match[3]] !== undefined) {
        text += NAMED_ENTITIES[match[3]];
        i += match[0].length;
      } else {
        text += c; // Telegram leaves a stray '&' as it is.
        i++;
      }
    } else {
      text += c;
      i++;
    }
  }
  if (open.length > 0) {
    throw bad(
      `can't parse entities: Can't find end tag corresponding to start tag "${open[open.length - 1]}"`,
    );
  }
  return text;
}
