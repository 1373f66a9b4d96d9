/**
 * Recognising a remote tool's credentials in a customer's message (T4): an ID, a password, or a
 * password sent alone after the ID; and what is kept of such a message. Pure.
 */
import { CREDENTIALS_PLACEHOLDER } from '../../templates/consent-messages.js';
import type { InboundMessage } from '../channel.js';
import { interpretConsentAnswer, normaliseAnswer } from './answer-rule.js';
import type { ConsentState } from './consent-store.js';
import { redactSecrets } from './redaction.js';

/** What replaces a message that carried credentials, everywhere it would be kept. */
export function withoutCredentials(message: InboundMessage): InboundMessage {
  return {
    ...message,
    subject: message.subject,
    newText: CREDENTIALS_PLACEHOLDER,
    fullText: CREDENTIALS_PLACEHOLDER,
    html: undefined,
    // A screenshot of the remote tool's window shows the password too: no file is kept.
    attachments: [],
    raw: { contentType: 'text/plain', data: CREDENTIALS_PLACEHOLDER },
  };
}

/**
 * After a yes, a message that carries an ID (6 or more digits, spaces allowed) or a password
 * phrase is the remote tool's credentials; anything else is an ordinary message (still redacted).
 */
function looksLikeCredentials(text: string): boolean {
  return /\d(?:[ -]?\d){5,}/.test(text) || redactSecrets(text).secrets.length > 0;
}

/**
 * What a `credentials_provided` row says was handed over (its `request_text`; never the secret):
 * an ID without a password (the password may follow alone), or a complete hand-over.
 */
export const HANDED_ID_ONLY = 'ID senza password (la password può seguire da sola) / ID without password';
export const HANDED_COMPLETE = 'credenziali complete / complete credentials';

/** Whether the customer's words carry a remote-tool ID but no password (the password may follow). */
export function isIdWithoutPassword(text: string): boolean {
  return /\d(?:[ -]?\d){5,}/.test(text) && redactSecrets(text).secrets.length === 0;
}

/** One-word acknowledgements that are never a password ("Perfetto" after a hand-over). */
const ACKNOWLEDGEMENTS = new Set([
  'perfetto',
  'ottimo',
  'benissimo',
  'bene',
  'fatto',
  'ricevuto',
  'capito',
  'ciao',
  'salve',
  'great',
  'perfect',
  'done',
  'fine',
  'good',
  'cheers',
  'hello',
  'hi',
]);

/**
 * Right after a hand-over of an ID without a password, one word alone (no spaces, 3–128
 * characters, not a thank-you, a yes or an acknowledgement) is the password the customer sent
 * after the ID ("AnyDesk 123 456 789", then "Quercia#7"): it is handed over too, never stored.
 */
export function isLonePassword(text: string): boolean {
  const word = text.trim();
  if (!/^\S{3,128}$/.test(word)) return false;
  if (ACKNOWLEDGEMENTS.has(normaliseAnswer(word))) return false;
  // A word that is politeness or a yes reads as consent next to `ok`: not a password.
  return interpretConsentAnswer(`ok ${word}`) !== 'yes';
}

/** Whether `secretText` is the remote tool's ID and password this consent waits for (T4). */
export function carriesCredentials(state: ConsentState, secretText: string): boolean {
  if (state.phase === 'awaiting_credentials') return looksLikeCredentials(secretText);
  // The lone-word rule only completes a hand-over that had the ID and no password.
  const last = state.events.at(-1);
  const idOnly = last?.event === 'credentials_provided' && last.requestText === HANDED_ID_ONLY;
  return state.phase === 'granted' && idOnly && isLonePassword(secretText);
}
