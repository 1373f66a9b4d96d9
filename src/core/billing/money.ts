/**
 * Money: integer euro cents, computed from minutes, rounded once, half-up. Pure.
 * The rules are written in the README (section "Time tracking and billing").
 */
import type { Locale } from '../../templates/format.js';

/**
 * `numerator / denominator` rounded half-up to an integer (half a cent goes up). Both
 * non-negative integers; exact as long as `2 × numerator` stays below 2^53.
 */
export function divideHalfUp(numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || denominator <= 0) {
    throw new RangeError(
      `divideHalfUp needs safe integers and a positive divisor, got ${numerator}/${denominator}`,
    );
  }
  if (numerator < 0) return -divideHalfUp(-numerator, denominator);
  return Math.floor((2 * numerator + denominator) / (2 * denominator));
}

/** Cents for `minutes` of work at `hourlyRateCents` (cents per hour), rounded half-up once. */
export function amountForMinutes(minutes: number, hourlyRateCents: number): number {
  return divideHalfUp(minutes * hourlyRateCents, 60);
}

/** `percent`% of `cents`, rounded half-up to the cent (VAT, surcharges). */
export function percentOf(cents: number, percent: number): number {
  return divideHalfUp(cents * percent, 100);
}

const numberFormats = new Map<Locale, Intl.NumberFormat>();

/**
 * Cents as customers read them: Italian `€ 45,00` (`€ 1.234,50`), English `€45.00`. The Italian
 * form puts the sign first, as invoices and price lists in Italy do (Intl's it-IT puts it after).
 */
export function formatMoney(cents: number, locale: Locale): string {
  let format = numberFormats.get(locale);
  if (!format) {
    format = new Intl.NumberFormat(locale === 'it' ? 'it-IT' : 'en-IE', {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
      useGrouping: true,
    });
    numberFormats.set(locale, format);
  }
  const sign = cents < 0 ? '-' : '';
  // it-IT leaves 4-digit numbers ungrouped (1234,50); invoices group them, so group by hand.
  const text = format.format(Math.abs(cents) / 100);
  const grouped = locale === 'it' ? groupThousands(text) : text;
  return locale === 'it' ? `${sign}€ ${grouped}` : `${sign}€${grouped}`;
}

function groupThousands(text: string): string {
  const [whole = '', fraction = ''] = text.replace(/\./g, '').split(',');
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.')},${fraction}`;
}

/** Cents as a decimal with a comma and no sign or grouping (`45,00`): CSV cells for Italian Excel. */
export function centsToDecimalComma(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
}
