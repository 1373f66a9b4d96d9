/**
 * Ticket numbers and row ids typed or clicked by people (Slack `/helpdesk` arguments and button
 * values, Telegram button data, REST path params): decimal digits only, within the column's
 * range. `1e3`, `0x3e8`, ` 12`, `-1`, `1.0` or a number past the column are not numbers here, so
 * they read as "not found"/usage instead of acting on another ticket or failing in the database.
 */

/** The largest PostgreSQL `integer` (ticket numbers). */
export const MAX_INT32 = 2_147_483_647;
/** The largest `bigserial` id a JavaScript number holds exactly (ids of customers, messages…). */
export const MAX_SAFE_ID = Number.MAX_SAFE_INTEGER;

/** Decimal digits, at most 16 (anything longer is past every range we accept). */
const DIGITS = /^[0-9]{1,16}$/;

/**
 * `text` as a positive whole number, or undefined when it is anything but decimal digits (an
 * optional leading `#` with `allowHash`) or outside 1…`max` (default {@link MAX_INT32}).
 */
export function parseIdNumber(
  text: unknown,
  options: { max?: number; allowHash?: boolean } = {},
): number | undefined {
  if (typeof text !== 'string') return undefined;
  const digits = options.allowHash ? text.replace(/^#/, '') : text;
  if (!DIGITS.test(digits)) return undefined;
  const value = Number(digits);
  return value >= 1 && value <= (options.max ?? MAX_INT32) ? value : undefined;
}
