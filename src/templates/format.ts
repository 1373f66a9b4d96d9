/** Formatting helpers shared by the templates. Pure. */

export type Locale = 'it' | 'en';

export function toLocale(value: string | undefined | null): Locale {
  return value?.toLowerCase().startsWith('en') ? 'en' : 'it';
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
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
