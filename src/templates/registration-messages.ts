import { type RenderedMessage, rendered } from './format.js';

/**
 * What a customer is told when staff decide on their registration (T1, #25): one message, Italian
 * first, then English, in the customer's channel (email for web registrations).
 */

/** The account is active (T1: within 48 hours of registering). */
export function activationMessage(data: {
  name: string;
  companyName: string;
  portalUrl: string;
}): RenderedMessage {
  return rendered(
    [
      `Gentile ${data.name},`,
      `il suo account dell'assistenza ${data.companyName} è stato attivato. Può accedere all'area clienti qui: ${data.portalUrl}`,
      `Assistenza ${data.companyName}`,
      '---',
      `Hello ${data.name},`,
      `your ${data.companyName} support account has been activated. Sign in to the customer area here: ${data.portalUrl}`,
      `${data.companyName} support`,
    ].join('\n\n'),
    `${data.companyName}: account attivato / account activated`,
  );
}

/** The registration was turned down, with the reason staff gave. */
export function rejectionMessage(data: {
  name: string;
  companyName: string;
  reason: string;
}): RenderedMessage {
  return rendered(
    [
      `Gentile ${data.name},`,
      `la sua registrazione all'assistenza ${data.companyName} non è stata accettata. Motivo: ${data.reason}`,
      `Per chiarimenti risponda a questo messaggio.\n\nAssistenza ${data.companyName}`,
      '---',
      `Hello ${data.name},`,
      `your registration with ${data.companyName} support was not accepted. Reason: ${data.reason}`,
      `For questions, reply to this message.\n\n${data.companyName} support`,
    ].join('\n\n'),
    `${data.companyName}: registrazione non accettata / registration not accepted`,
  );
}
