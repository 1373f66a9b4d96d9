import { type Locale, type RenderedMessage, rendered } from './format.js';

/**
 * What a customer reads about remote access (terms T3, T4, T5, T7), Italian first, English second.
 * The request is a versioned template: the consent record keeps the version and the exact text.
 * Change the wording → bump {@link CONSENT_REQUEST_VERSION}.
 */
export const CONSENT_REQUEST_VERSION = 'consent-request-v1';

export interface ConsentRequestData {
  ticketNumber: number;
  subject: string;
  technician: string;
  toolName: string;
  toolUrl: string;
  companyName: string;
  /** Minutes before the request expires unanswered. */
  ttlMinutes: number;
}

const tag = (n: number, subject: string) => `[#${n}] ${subject}`;

/** The consent request (T3 device on and connected, T7 backup, T4 tool started by hand, T5 refuse). */
export function consentRequest(data: ConsentRequestData, locale: Locale): RenderedMessage {
  if (locale === 'en') {
    return rendered(
      [
        'Hello,',
        `for ticket #${data.ticketNumber} ("${data.subject}") our technician ${data.technician} asks to connect to your device remotely with ${data.toolName}.`,
        [
          'Before answering:',
          '- the device must be switched on and connected to the Internet;',
          '- back up your data first;',
          `- start ${data.toolName} yourself, by hand (download: ${data.toolUrl}).`,
        ].join('\n'),
        `Reply YES to authorise the connection now (this also confirms you have backed up your data), or NO to refuse. You can stop the connection at any moment by writing STOP.`,
        `This request expires in ${data.ttlMinutes} minutes.\n\n${data.companyName} support`,
      ].join('\n\n'),
      tag(data.ticketNumber, data.subject),
    );
  }
  return rendered(
    [
      'Gentile cliente,',
      `per il ticket n. ${data.ticketNumber} ("${data.subject}") il nostro tecnico ${data.technician} chiede di collegarsi da remoto al suo dispositivo con ${data.toolName}.`,
      [
        'Prima di rispondere:',
        '- il dispositivo deve essere acceso e connesso a Internet;',
        '- esegua una copia di sicurezza dei suoi dati;',
        `- avvii lei stesso, a mano, ${data.toolName} (download: ${data.toolUrl}).`,
      ].join('\n'),
      `Risponda SÌ per autorizzare ora il collegamento (conferma così anche di aver fatto la copia di sicurezza), oppure NO per rifiutare. Può interrompere il collegamento in qualsiasi momento scrivendo STOP.`,
      `La richiesta scade tra ${data.ttlMinutes} minuti.\n\nAssistenza ${data.companyName}`,
    ].join('\n\n'),
    tag(data.ticketNumber, data.subject),
  );
}

interface TicketData {
  ticketNumber: number;
  subject: string;
  toolName: string;
}

type Notice =
  | 'unclear'
  | 'granted'
  | 'granted_credentials'
  | 'refused'
  | 'expired'
  | 'credentials_received'
  | 'credentials_retry'
  | 'session_started'
  | 'session_ended'
  | 'revoked';

const NOTICES: Record<Notice, Record<Locale, (d: TicketData) => string>> = {
  unclear: {
    it: () =>
      'Non siamo sicuri di aver capito la sua risposta. Per autorizzare il collegamento da remoto risponda solo SÌ; per rifiutare risponda NO.',
    en: () =>
      'We are not sure we understood your answer. To authorise the remote connection reply just YES; to refuse, reply NO.',
  },
  granted: {
    it: (d) =>
      `Grazie: ha autorizzato il collegamento da remoto. Tenga ${d.toolName} aperto; il tecnico si collegherà a breve. Scriva STOP in qualsiasi momento per interromperlo.`,
    en: (d) =>
      `Thank you: you have authorised the remote connection. Keep ${d.toolName} open; the technician will connect shortly. Write STOP at any moment to end it.`,
  },
  granted_credentials: {
    it: (d) =>
      `Grazie: ha autorizzato il collegamento da remoto. Ora ci invii, in un solo messaggio, l'ID e la password che vede in ${d.toolName}. Li passeremo solo al tecnico: non vengono conservati. Scriva STOP in qualsiasi momento per interrompere.`,
    en: (d) =>
      `Thank you: you have authorised the remote connection. Now send us, in one message, the ID and password shown in ${d.toolName}. We hand them only to the technician: they are not stored. Write STOP at any moment to stop.`,
  },
  refused: {
    it: () => 'Ricevuto: nessun collegamento da remoto. Il tecnico è stato avvisato.',
    en: () => 'Understood: no remote connection. The technician has been told.',
  },
  expired: {
    it: () =>
      'La richiesta di collegamento da remoto è scaduta: nessun collegamento. Il tecnico gliela invierà di nuovo se serve.',
    en: () =>
      'The remote-connection request has expired: no connection. The technician will send it again if needed.',
  },
  credentials_received: {
    it: () => 'Credenziali ricevute e passate al tecnico (non vengono conservate).',
    en: () => 'Credentials received and handed to the technician (they are not stored).',
  },
  credentials_retry: {
    it: () =>
      'Non abbiamo potuto consegnare le credenziali al tecnico in questo momento e non le abbiamo conservate: ce le invii di nuovo più tardi, quando il tecnico le chiederà.',
    en: () =>
      'We could not hand the credentials to the technician right now and did not keep them: please send them again later, when the technician asks.',
  },
  session_started: {
    it: () =>
      'Il tecnico ha iniziato il collegamento da remoto. Scriva STOP per interromperlo in qualsiasi momento.',
    en: () => 'The technician has started the remote session. Write STOP to end it at any moment.',
  },
  session_ended: {
    it: (d) =>
      `Il collegamento da remoto è terminato. Chiuda ora ${d.toolName}, controlli che non sia più in esecuzione (anche nell'area di notifica) e non lo imposti mai per l'avvio automatico.`,
    en: (d) =>
      `The remote session has ended. Please close ${d.toolName} now, check that it is no longer running (also in the notification area) and never set it to start automatically.`,
  },
  revoked: {
    it: (d) =>
      `Collegamento interrotto come richiesto; il tecnico è stato avvisato. Chiuda ${d.toolName}, controlli che non sia più in esecuzione e non lo imposti mai per l'avvio automatico.`,
    en: (d) =>
      `Connection stopped as you asked; the technician has been told. Close ${d.toolName}, check that it is no longer running and never set it to start automatically.`,
  },
};

/** A short notice about a consent or a session, with the ticket's subject tag (email). */
export function consentNotice(kind: Notice, data: TicketData, locale: Locale): RenderedMessage {
  return rendered(NOTICES[kind][locale](data), tag(data.ticketNumber, data.subject));
}

/** What the transcript keeps in place of a message carrying remote-access credentials. */
export const CREDENTIALS_PLACEHOLDER =
  'credenziali fornite (non conservate) / credentials provided (not stored)';
