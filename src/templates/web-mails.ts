import { type Locale, type RenderedMessage, rendered } from './format.js';

/** Mails of the web portal's accounts (T1: credentials at the end of registration). Italian first. */

interface LinkMail {
  companyName: string;
  link: string;
  /** How long the link works, in hours. */
  validHours: number;
}

/** After registration: set the password (the credentials of T1); the account is active within 48 h. */
export function setPasswordMail(data: LinkMail & { name: string }, locale: Locale): RenderedMessage {
  if (locale === 'en') {
    return rendered(
      [
        `Hello ${data.name},`,
        `thank you for registering with ${data.companyName} support. Set your password here (the link works once, for ${data.validHours} hours):`,
        data.link,
        'Your account will be activated by our staff within 48 hours; you can already sign in and open tickets.',
        `If you did not register, ignore this message.\n\n${data.companyName} support`,
      ].join('\n\n'),
      `${data.companyName}: set your password`,
    );
  }
  return rendered(
    [
      `Gentile ${data.name},`,
      `grazie per la registrazione all'assistenza ${data.companyName}. Imposti la sua password qui (il link vale una volta sola, per ${data.validHours} ore):`,
      data.link,
      'Il suo account sarà attivato dal nostro staff entro 48 ore; può già accedere e aprire ticket.',
      `Se non si è registrato lei, ignori questo messaggio.\n\nAssistenza ${data.companyName}`,
    ].join('\n\n'),
    `${data.companyName}: imposti la sua password`,
  );
}

/** Someone registered with an address that already has an account: told to its owner, not to the form. */
export function alreadyRegisteredMail(data: LinkMail, locale: Locale): RenderedMessage {
  if (locale === 'en') {
    return rendered(
      [
        'Hello,',
        `someone (perhaps you) tried to register with ${data.companyName} support using this address, which already has an account.`,
        `To sign in without your password, choose a new one here (the link works once, for ${data.validHours} hours):`,
        data.link,
        `If it was not you, ignore this message: nothing has changed.\n\n${data.companyName} support`,
      ].join('\n\n'),
      `${data.companyName}: you already have an account`,
    );
  }
  return rendered(
    [
      'Gentile cliente,',
      `qualcuno (forse lei) ha provato a registrarsi all'assistenza ${data.companyName} con questo indirizzo, che ha già un account.`,
      `Se non ricorda la password, ne scelga una nuova qui (il link vale una volta sola, per ${data.validHours} ore):`,
      data.link,
      `Se non è stato lei, ignori questo messaggio: non è cambiato nulla.\n\nAssistenza ${data.companyName}`,
    ].join('\n\n'),
    `${data.companyName}: ha già un account`,
  );
}

/** Password reset asked from the sign-in page. */
export function resetPasswordMail(data: LinkMail, locale: Locale): RenderedMessage {
  if (locale === 'en') {
    return rendered(
      [
        'Hello,',
        `a new password was asked for your ${data.companyName} support account. Choose it here (the link works once, for ${data.validHours} hours):`,
        data.link,
        `If you did not ask, ignore this message: your password has not changed.\n\n${data.companyName} support`,
      ].join('\n\n'),
      `${data.companyName}: new password`,
    );
  }
  return rendered(
    [
      'Gentile cliente,',
      `è stata chiesta una nuova password per il suo account dell'assistenza ${data.companyName}. La scelga qui (il link vale una volta sola, per ${data.validHours} ore):`,
      data.link,
      `Se non l'ha chiesta lei, ignori questo messaggio: la password non è cambiata.\n\nAssistenza ${data.companyName}`,
    ].join('\n\n'),
    `${data.companyName}: nuova password`,
  );
}
