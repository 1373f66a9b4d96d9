import { describe, expect, it } from 'vitest';
import { isValidTaxCode, isValidVatNumber } from '../../src/web/identity-numbers.js';
import { hashPassword, verifyPassword } from '../../src/web/passwords.js';
import { englishDateTime, italianDateTime } from '../../src/web/views/portal-pages.js';

describe('registration numbers', () => {
  it('checks the partita IVA check digit', () => {
    expect(isValidVatNumber('12345678903')).toBe(true);
    expect(isValidVatNumber('IT 123 456 789 03')).toBe(true);
    expect(isValidVatNumber('12345678901')).toBe(false);
    expect(isValidVatNumber('00000000000')).toBe(false);
    expect(isValidVatNumber('1234567890')).toBe(false);
  });

  it('checks the codice fiscale with codice-fiscale-js', () => {
    expect(isValidTaxCode('RSSMRA85T10A562S')).toBe(true);
    expect(isValidTaxCode('rssmra85t10a562s')).toBe(true);
    expect(isValidTaxCode('RSSMRA85T10A562X')).toBe(false);
    expect(isValidTaxCode('RSSMRA85T10')).toBe(false);
  });
});

describe('passwords', () => {
  it('stores scrypt with its parameters and a salt, and verifies only the right password', async () => {
    const hash = await hashPassword('una-password-lunga');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await hashPassword('una-password-lunga')).not.toBe(hash);
    expect(await verifyPassword('una-password-lunga', hash)).toBe(true);
    expect(await verifyPassword('una-password-lunga!', hash)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });
});

describe('portal dates', () => {
  it('shows Italian time across the summer-time changes', () => {
    expect(italianDateTime(new Date('2026-03-29T00:59:00Z'))).toBe('29/03/26 01:59');
    expect(italianDateTime(new Date('2026-03-29T01:00:00Z'))).toBe('29/03/26 03:00');
    expect(italianDateTime(new Date('2026-10-25T00:59:00Z'))).toBe('25/10/26 02:59');
    expect(italianDateTime(new Date('2026-10-25T01:00:00Z'))).toBe('25/10/26 02:00');
    expect(italianDateTime(new Date('2026-12-31T23:30:00Z'))).toBe('01/01/27 00:30');
  });

  it('writes the same Italian time the English way for the English pages', () => {
    expect(englishDateTime(new Date('2026-12-31T23:30:00Z'))).toBe('1 Jan 2027, 00:30');
    expect(englishDateTime(new Date('2026-07-09T12:05:00Z'))).toBe('9 Jul 2026, 14:05');
  });
});
