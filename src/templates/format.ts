/** Formatting helpers shared by the templates. Pure. */

export type Locale = 'it' | 'en';

export function toLocale(value: string | undefined | null): Locale {
  return value?.toLowerCase().startsWith('en') ? 'en' : 'it';
}

/** Escapes text for an HTML document (email bodies): `& < > " '` as numeric entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Escapes text for chat markup, where only `&`, `<` and `>` are special and must be the named
 * entities `&amp;`, `&lt;`, `&gt;` (quotes stay as typed): Telegram's HTML parse mode (whose
 * `splitText` counts these lengths) and Slack's mrkdwn and plain `text` fields.
 */
export function escapeChatMarkup(text: string): string {
  return text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** Plain text → simple HTML: blank lines make paragraphs, single newlines `<br>`. */
export function textToHtml(text: string): string {
  return text
    .trim()
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}

/** Money is integer cents everywhere; this is the only place it becomes text. */
const euroFormats = new Map<Locale, Intl.NumberFormat>();

export function formatEuro(cents: number, locale: Locale): string {
  let format = euroFormats.get(locale);
  if (!format) {
    // Building an Intl formatter costs far more than using one; every acknowledgement shows a price.
    format = new Intl.NumberFormat(locale === 'it' ? 'it-IT' : 'en-IE', {
      style: 'currency',
      currency: 'EUR',
    });
    euroFormats.set(locale, format);
  }
  return format.format(cents / 100);
}

/** What a template gives back: the subject (email) and the body as text and simple HTML. */
export interface RenderedMessage {
  subject?: string;
  text: string;
  html: string;
}

export function rendered(text: string, subject?: string): RenderedMessage {
  return { subject, text, html: textToHtml(text) };
}
