import { createRequire } from 'node:module';

// The package's types declare a default class; its CommonJS build exports `{ CodiceFiscale }`.
type CodiceFiscaleClass = { check(code: string): boolean };
let codiceFiscale: CodiceFiscaleClass | undefined;

/**
 * codice-fiscale-js, required on the first tax code checked: it builds its table of Italian and
 * foreign places as it loads (~2.5 MB of heap), which an idle server never needs
 * (docs/performance.md#memory). CommonJS, so `require` keeps the check synchronous.
 */
function CodiceFiscale(): CodiceFiscaleClass {
  if (!codiceFiscale) {
    const loaded = createRequire(import.meta.url)('codice-fiscale-js') as
      | CodiceFiscaleClass
      | { CodiceFiscale?: CodiceFiscaleClass; default?: CodiceFiscaleClass };
    codiceFiscale =
      ('CodiceFiscale' in loaded && loaded.CodiceFiscale) ||
      ('default' in loaded && loaded.default) ||
      (loaded as CodiceFiscaleClass);
  }
  return codiceFiscale;
}

/** `IT12345678903` or `12345678903` → the 11 digits; spaces and dots removed. */
export function normaliseVatNumber(value: string): string {
  return value.replace(/[\s.]/g, '').replace(/^IT/i, '').toUpperCase();
}

/**
 * Italian VAT number (partita IVA): 11 digits, the last a check digit (Luhn variant of DM 23
 * dicembre 1976): digits in odd places summed, digits in even places doubled (minus 9 over 9).
 */
export function isValidVatNumber(value: string): boolean {
  const digits = normaliseVatNumber(value);
  if (!/^\d{11}$/.test(digits) || /^0{11}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    let d = Number(digits[i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10 === Number(digits[10]);
}

/** Tax code (codice fiscale) of a person, 16 characters, checked by codice-fiscale-js (check letter, date, place). */
export function isValidTaxCode(value: string): boolean {
  const code = value.replace(/\s/g, '').toUpperCase();
  if (!/^[A-Z0-9]{16}$/.test(code)) return false;
  try {
    return CodiceFiscale().check(code);
  } catch {
    return false;
  }
}
