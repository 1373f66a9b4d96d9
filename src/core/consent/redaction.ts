/**
 * Redaction of secrets in what customers write (terms T8: the company keeps no sensitive data).
 * Pure. Every inbound message is passed through {@link redactInbound} before it is stored, logged,
 * relayed or queued. Found, and replaced by `[redacted]`:
 *
 * - the value after a password word, Italian and English (`password: …`, `la password del suo
 *   account è …`, `pwd …`, `PIN …`, `credenziali: …`; password-phrases.ts says which words);
 * - a remote-tool ID (9–10 digits, spaced or not) followed by a password on the same or the next
 *   line (`123 456 789 / abc123`, `ID 123456789 pass xyz`, `123456789 hunter22`): the password;
 * - card numbers of 13–19 digits (spaces or dashes allowed) that pass the Luhn check;
 * - IBANs (two letters, two check digits, 11–30 characters) whose mod-97 check is 1.
 */

import { NOT_A_SECRET, passwordValues } from './password-phrases.js';
import { removeSecrets } from './secret-removal.js';

export { removeSecrets };

export const REDACTED = '[redacted]';

/** A remote-tool ID (9–10 digits, spaced or dashed) named as such, followed by a password. */
const NAMED_ID_THEN_SECRET =
  /\b((?:id|rustdesk|anydesk|teamviewer|splashtop|meshcentral)\b[ \t]*[:=]?[ \t]*(?:\d[ -]?\d{3}[ -]?\d{3}[ -]?\d{3}|\d{3}[ -]?\d{3}[ -]?\d{3,4})\b[ \t,;/|]*(?:\r?\n[ \t]*)?)(?:((?:(?:e|and)[ \t]+)?(?:password|passw|pass|pwd|pw|psw)\b[ \t]*[:=]?[ \t]*)([^\s,;]+)|(?!(?:e|and|password|passw|pass|pwd|pw|psw)\b)([^\s,;]{4,}))/giu;
/**
 * A bare ID (9–10 digits, spaced or not) then one token ending the line (`123456789 hunter22`):
 * a secret only when it has a letter and a digit or symbol (checked in {@link redactSecrets}).
 */
const BARE_ID_SPACE_SECRET =
  /(^|[ \t])((?:\d[ -]?\d{3}[ -]?\d{3}[ -]?\d{3}|\d{3}[ -]?\d{3}[ -]?\d{3,4})[ \t]+)([^\s,;]{4,128})(?=[ \t]*\r?$)/gmu;
/** `123 456 789 / secret`, or the ID alone on a line and the secret alone on the next. */
const BARE_ID_THEN_SECRET =
  /(^|[ \t])(\d{3}[ -]?\d{3}[ -]?\d{3,4}[ \t]*(?:\/|\|)[ \t]*|^[ \t]*\d{3}[ -]?\d{3}[ -]?\d{3,4}[ \t]*\r?\n[ \t]*)([^\s,;]{4,})(?=[ \t]*\r?$)/gmu;

const CARD = /\b(?:\d[ -]?){12,18}\d\b/g;
const IBAN = /\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b/gi;

/** Luhn check (ISO/IEC 7812-1) over the digits of `text`. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length >= 13 && sum % 10 === 0;
}

/**
 * IBAN lengths by country (ISO 13616 registry, SWIFT, 2024): a country code outside it, or another
 * length, is not an IBAN — mod 97 alone lets one random token in 97 through.
 */
const IBAN_LENGTHS: Record<string, number> = Object.fromEntries(
  (
    'AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 ' +
    'DO28 EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HN28 HR21 HU28 IE22 IL23 ' +
    'IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 ' +
    'MT31 MU30 NI28 NL18 NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 ' +
    'SK24 SM27 SO23 ST25 SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30'
  )
    .split(' ')
    .map((entry) => [entry.slice(0, 2), Number(entry.slice(2))]),
);

/**
 * IBAN check (ISO 13616): a registered country with its length, then the first four characters
 * moved to the end, letters to numbers, mod 97 = 1.
 */
export function ibanValid(iban: string): boolean {
  const compact = iban.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) return false;
  if (IBAN_LENGTHS[compact.slice(0, 2)] !== compact.length) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const value = /\d/.test(char) ? char : String(char.charCodeAt(0) - 55);
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

/** The start of `match` holding as many letters and digits as its country's IBAN (the pattern may run on into the next word). */
function ibanPrefix(match: string): string {
  const length = IBAN_LENGTHS[match.slice(0, 2).toUpperCase()];
  if (!length) return match;
  let seen = 0;
  for (let i = 0; i < match.length; i++) {
    if (match[i] !== ' ') seen++;
    if (seen === length) return match.slice(0, i + 1);
  }
  return match;
}

export interface Redaction {
  text: string;
  /** The exact strings removed (to clean other copies of the same input: raw source, HTML). */
  secrets: string[];
}

/**
 * Replaces the secrets in `text` by `[redacted]`. Returns the text and the removed strings.
 * Never throws. Rule sources: terms T8; Luhn (ISO/IEC 7812-1); IBAN mod 97 (ISO 13616).
 */
export function redactSecrets(text: string): Redaction {
  const secrets: string[] = [];
  let out = '';
  let copied = 0;
  for (const { start, value } of passwordValues(text)) {
    secrets.push(value);
    out += text.slice(copied, start) + REDACTED;
    copied = start + value.length;
  }
  out += text.slice(copied);
  const keep = (secret: string) =>
    NOT_A_SECRET.has(secret.toLowerCase()) || secret.startsWith('[') || /^\d{1,4}$/.test(secret);
  out = out.replace(
    NAMED_ID_THEN_SECRET,
    (
      whole,
      head: string,
      label: string | undefined,
      labelled: string | undefined,
      bare: string | undefined,
    ) => {
      // After a password label any length is a secret (`pass: ab`); a bare word needs 4 characters.
      const secret = labelled ?? bare ?? '';
      const kept = labelled
        ? labelled.startsWith('[') || NOT_A_SECRET.has(labelled.toLowerCase())
        : keep(secret);
      if (kept) return whole;
      secrets.push(secret);
      return `${head}${label ?? ''}${REDACTED}`;
    },
  );
  out = out.replace(BARE_ID_SPACE_SECRET, (whole, lead: string, head: string, secret: string) => {
    if (keep(secret) || !/\p{L}/u.test(secret) || !/[^\p{L}]/u.test(secret)) return whole;
    secrets.push(secret);
    return `${lead}${head}${REDACTED}`;
  });
  out = out.replace(BARE_ID_THEN_SECRET, (whole, lead: string, head: string, secret: string) => {
    if (keep(secret)) return whole;
    secrets.push(secret);
    return `${lead}${head}${REDACTED}`;
  });
  out = out.replace(CARD, (match) => {
    const digits = match.replace(/\D/g, '');
    if (digits.length < 13 || digits.length > 19 || !luhnValid(digits)) return match;
    secrets.push(match);
    return REDACTED;
  });
  out = out.replace(IBAN, (match) => {
    const iban = ibanPrefix(match);
    if (!ibanValid(iban)) return match;
    secrets.push(iban);
    return REDACTED + match.slice(iban.length);
  });
  return { text: out, secrets };
}

/** What {@link redactText} returns: the text to keep and how many secrets were taken out of it. */
export interface RedactedText {
  text: string;
  /** Secrets replaced by `[redacted]` (0: `text` is the input, unchanged). */
  count: number;
}

/**
 * `text` with its secrets replaced, for text typed by staff (a technician's reply, internal note,
 * time-entry description): the core applies it once before storing, relaying or indexing (T8).
 * Redacting a redacted text changes nothing.
 */
export function redactText(text: string): RedactedText {
  const result = redactSecrets(text);
  if (result.secrets.length === 0) return { text, count: 0 };
  return { text: removeSecrets(result.text, result.secrets), count: result.secrets.length };
}
