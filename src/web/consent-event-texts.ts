import type { Locale } from '../templates/format.js';

/**
 * The events of a remote-access consent record (T3-T5, src/core/consent) by name, Italian first.
 * One set of words for the customer's portal and the staff pages, who may talk about one record.
 */
export const CONSENT_EVENT_NAMES: Record<Locale, Record<string, string>> = {
  it: {
    requested: 'richiesto',
    granted: 'concesso',
    refused: 'rifiutato',
    expired: 'scaduto',
    revoked: 'revocato',
    unclear: 'risposta non chiara',
    credentials_provided: 'credenziali fornite',
    session_started: 'sessione iniziata',
    session_ended: 'sessione terminata',
  },
  en: {
    requested: 'requested',
    granted: 'granted',
    refused: 'refused',
    expired: 'expired',
    revoked: 'revoked',
    unclear: 'unclear answer',
    credentials_provided: 'credentials provided',
    session_started: 'session started',
    session_ended: 'session ended',
  },
};
