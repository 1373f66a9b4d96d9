import { formatEuro, type Locale, type RenderedMessage, rendered } from './format.js';
import { formatOpeningHours, type OpeningHours } from './opening-hours.js';

/**
 * Everything a customer reads from the bot, Italian first, English second. Pure functions from
 * data to text; the channel serialisers only change the markup.
 */

export interface AcknowledgementData {
  ticketNumber: number;
  subject: string;
  hourlyRateCents: number;
  /** True when the rate comes from the customer's own contract. */
  contractRate: boolean;
  vatPercent: number;
  companyName: string;
  /** From `BUSINESS_HOURS` and the working days; shown in the customer's language. */
  openingHours: OpeningHours;
}

export function ticketSubject(ticketNumber: number, subject: string): string {
  return `[#${ticketNumber}] ${subject}`;
}

export function acknowledgement(data: AcknowledgementData, locale: Locale): RenderedMessage {
  const rate = formatEuro(data.hourlyRateCents, locale);
  const hours = formatOpeningHours(data.openingHours, locale);
  if (locale === 'en') {
    const price = data.contractRate
      ? `Remote work is charged at ${rate} per hour + VAT (${data.vatPercent}%), as in your contract.`
      : `Remote work costs ${rate} per hour + VAT (${data.vatPercent}%), unless your support contract says otherwise.`;
    return rendered(
      [
        'Hello,',
        `we have received your request and opened ticket #${data.ticketNumber}: "${data.subject}".`,
        `Our support team will contact you within 2 business days to schedule the intervention, on site or, where possible, remotely (${hours}).`,
        price,
        'Please back up your data before any intervention.',
        `To add information, just reply to this message.\n\n${data.companyName} support`,
      ].join('\n\n'),
      ticketSubject(data.ticketNumber, data.subject),
    );
  }
  const price = data.contractRate
    ? `L'assistenza da remoto costa ${rate} l'ora + IVA (${data.vatPercent}%), come da suo contratto.`
    : `L'assistenza da remoto costa ${rate} l'ora + IVA (${data.vatPercent}%), salvo diverso contratto di assistenza.`;
  return rendered(
    [
      'Gentile cliente,',
      `abbiamo ricevuto la sua richiesta e aperto il ticket n. ${data.ticketNumber}: "${data.subject}".`,
      `Il nostro supporto tecnico la contatterà entro 2 giorni lavorativi per programmare l'intervento, presso la sua sede o, se possibile, da remoto (${hours}).`,
      price,
      'Prima di qualsiasi intervento esegua una copia di sicurezza dei suoi dati.',
      `Per aggiungere informazioni risponda semplicemente a questo messaggio.\n\nAssistenza ${data.companyName}`,
    ].join('\n\n'),
    ticketSubject(data.ticketNumber, data.subject),
  );
}

export interface UnknownSenderData {
  registerUrl: string;
  companyName: string;
  /** Chat channels can also link an existing account. */
  canLink: boolean;
  /** How the chat's link command is typed: `/link` (Telegram), `link` (Slack, where `/…` is a slash command). */
  linkCommand?: string;
}

export function unknownSender(data: UnknownSenderData, locale: Locale): RenderedMessage {
  if (locale === 'en') {
    return rendered(
      [
        'Hello,',
        `we could not find a customer account for this address, so we could not open a ticket. To use our support service, please register at ${data.registerUrl} (it is free).`,
        data.canLink
          ? `If you already have an account, link this chat to it with ${data.linkCommand ?? '/link'} followed by your email address.`
          : 'If you already have an account, please write from the address you registered with.',
        'We have kept your message: a technician will see it.',
        `${data.companyName} support`,
      ].join('\n\n'),
      'Registration required / Registrazione richiesta',
    );
  }
  return rendered(
    [
      'Gentile utente,',
      `non abbiamo trovato un account cliente per questo indirizzo, quindi non abbiamo potuto aprire un ticket. Per usare il servizio di assistenza si registri gratuitamente su ${data.registerUrl}.`,
      data.canLink
        ? `Se ha già un account, colleghi questa chat con ${data.linkCommand ?? '/link'} seguito dal suo indirizzo email.`
        : "Se ha già un account, scriva dall'indirizzo con cui si è registrato.",
      'Abbiamo conservato il suo messaggio: un tecnico lo vedrà.',
      `Assistenza ${data.companyName}`,
    ].join('\n\n'),
    'Registrazione richiesta / Registration required',
  );
}

export function attachmentsOmitted(
  data: { ticketNumber: number; subject: string; files: Array<{ filename: string; reason: string }> },
  locale: Locale,
): RenderedMessage {
  const list = data.files.map((file) => `- ${file.filename}`).join('\n');
  const text =
    locale === 'en'
      ? `Some attachments of your last message on ticket #${data.ticketNumber} were too large and were not kept:\n${list}\n\nPlease send them in a smaller size or as a download link.`
      : `Alcuni allegati del suo ultimo messaggio sul ticket n. ${data.ticketNumber} erano troppo grandi e non sono stati conservati:\n${list}\n\nLi invii in dimensione ridotta o come link per il download.`;
  return rendered(text, ticketSubject(data.ticketNumber, data.subject));
}

export function chooseTicket(data: { tickets: Array<{ number: number; subject: string }> }, locale: Locale) {
  const text =
    locale === 'en'
      ? 'You have more than one open ticket. Which one is this message about?'
      : 'Ha più di un ticket aperto. A quale si riferisce questo messaggio?';
  return {
    ...rendered(text),
    buttons: data.tickets.map((ticket) => [
      { label: `#${ticket.number} ${ticket.subject}`.slice(0, 60), data: `ticket:${ticket.number}` },
    ]),
  };
}

/** A technician's reply as the customer reads it. */
export function technicianReply(data: {
  ticketNumber: number;
  subject: string;
  text: string;
  /**
   * The display name of the technician who wrote it: a text a person typed is signed with it, never
   * with the bot's (#20). Undefined: a text the bot composed (reminders, hour summaries), unsigned.
   */
  technician?: string;
}): RenderedMessage {
  const signed = data.technician ? `${data.text}\n\n— ${data.technician}` : data.text;
  return rendered(signed, `Re: ${ticketSubject(data.ticketNumber, data.subject)}`);
}
