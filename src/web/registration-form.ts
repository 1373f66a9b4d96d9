import { z } from 'zod';
import { stripNul } from '../core/errors.js';
import type { Locale } from '../templates/format.js';
import type { Registration } from './accounts.js';
import type { Messages } from './i18n.js';
import { isValidTaxCode, isValidVatNumber, normaliseVatNumber } from './identity-numbers.js';
import type { FieldErrors, FormValues } from './views/auth-pages.js';

const FIELDS = [
  'kind',
  'name',
  'vatNumber',
  'taxCode',
  'contactName',
  'email',
  'phone',
  'telegram',
  'termsVersion',
  'acceptTerms',
  'acceptPrivacy',
  'quickAccess',
] as const;

/** The longest value of a field, characters (code points): told to the customer, never cut silently. */
const MAX_LENGTH = 300;

/** The posted values, without NUL characters, trimmed and cut to a sane length, to show again on error. */
export function registrationValues(body: unknown): FormValues {
  const values: FormValues = {};
  for (const name of FIELDS) {
    const value = (body as Record<string, unknown> | undefined)?.[name];
    // Cut (by code points, an emoji stays whole) only what is far past any limit, to show it again.
    // NUL cannot be stored (PostgreSQL text) and is never typed on purpose: dropped, as posts do.
    if (typeof value === 'string')
      values[name] = Array.from(stripNul(value).trim())
        .slice(0, 2 * MAX_LENGTH)
        .join('');
  }
  return values;
}

/**
 * Server-side validation of the registration form (T1), with field errors in the user's language.
 * Companies give a VAT number (partita IVA, checksum); private persons a tax code (codice fiscale)
 * and, when they give one, a valid VAT number too.
 */
export function validateRegistration(
  values: FormValues,
  t: Messages,
  currentTermsVersion: string,
  locale: Locale,
): { errors: FieldErrors; registration?: Registration } {
  const errors: FieldErrors = {};
  const kind = values.kind === 'person' ? 'person' : 'company';
  const need = (name: keyof FormValues & string) => {
    if (!values[name]) errors[name] = t.required;
  };
  for (const name of FIELDS) {
    if (Array.from(values[name] ?? '').length > MAX_LENGTH) errors[name] = t.tooLong;
  }
  need('name');
  need('contactName');
  need('email');
  need('phone');
  if (values.email && !z.email().safeParse(values.email).success) errors.email = t.badEmail;
  if (values.phone && !/^\+?[0-9 ().-]{6,20}$/.test(values.phone)) errors.phone = t.badPhone;
  if (kind === 'company') {
    if (!values.vatNumber) errors.vatNumber = t.required;
    else if (!isValidVatNumber(values.vatNumber)) errors.vatNumber = t.badVat;
  } else if (!values.taxCode) errors.taxCode = t.required;
  // A private person need not give a VAT number, but one given is checked like a company's.
  if (kind === 'person' && values.vatNumber && !isValidVatNumber(values.vatNumber))
    errors.vatNumber = t.badVat;
  if (
    values.taxCode &&
    !isValidTaxCode(values.taxCode) &&
    !(kind === 'company' && isValidVatNumber(values.taxCode))
  )
    errors.taxCode = t.badTaxCode;
  const telegram = values.telegram?.replace(/^@/, '');
  if (telegram && !/^[A-Za-z][A-Za-z0-9_]{4,31}$/.test(telegram)) errors.telegram = t.badTelegram;
  // The terms shown must be the terms accepted: a version published meanwhile is shown again.
  if (values.acceptTerms !== 'yes' || values.termsVersion !== currentTermsVersion)
    errors.acceptTerms = t.mustAccept;
  if (values.acceptPrivacy !== 'yes') errors.acceptPrivacy = t.mustAccept;
  if (Object.keys(errors).length > 0) return { errors };
  return {
    errors,
    registration: {
      kind,
      name: values.name!,
      vatNumber: values.vatNumber ? normaliseVatNumber(values.vatNumber) : undefined,
      taxCode: values.taxCode ? values.taxCode.replace(/\s/g, '').toUpperCase() : undefined,
      contactName: values.contactName!,
      email: values.email!,
      phone: values.phone!,
      telegramUsername: telegram || undefined,
      termsVersion: currentTermsVersion,
      quickAccess: values.quickAccess === 'yes',
      locale,
    },
  };
}
