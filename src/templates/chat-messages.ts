import type { Locale, RenderedMessage } from './format.js';
import { rendered } from './format.js';

/** Texts of the chat channels' own conversation (commands, linking). Italian first. */

export function linkByEmail(data: { url: string; channel: string }, locale: Locale): RenderedMessage {
  if (data.channel === 'slack') return slackLinkByEmail(data.url, locale);
  const name = data.channel === 'telegram' ? 'Telegram' : data.channel;
  if (locale === 'en') {
    return rendered(
      `Someone asked to connect a ${name} account to your support account.\n\nIf it was you, open this link within 24 hours (it works once):\n${data.url}\n\nIf it was not you, ignore this message: nothing changes.`,
      `Link your ${name} account`,
    );
  }
  return rendered(
    `È stato chiesto di collegare un account ${name} al suo account di assistenza.\n\nSe è stato lei, apra questo link entro 24 ore (vale una sola volta):\n${data.url}\n\nSe non è stato lei, ignori questo messaggio: non cambia nulla.`,
    `Collegamento account ${name}`,
  );
}

/** Slack has no deep link with a code: the mail gives the message to send the bot (`url`). */
function slackLinkByEmail(command: string, locale: Locale): RenderedMessage {
  if (locale === 'en') {
    return rendered(
      `Someone asked to connect a Slack account to your support account.\n\nIf it was you, send this message to our bot on Slack within 24 hours (it works once):\n${command}\n\nIf it was not you, ignore this message: nothing changes.`,
      'Link your Slack account',
    );
  }
  return rendered(
    `È stato chiesto di collegare un account Slack al suo account di assistenza.\n\nSe è stato lei, invii questo messaggio al nostro bot su Slack entro 24 ore (vale una sola volta):\n${command}\n\nSe non è stato lei, ignori questo messaggio: non cambia nulla.`,
    'Collegamento account Slack',
  );
}

/** What chat texts need to tell a person how to get an account or link one. */
export interface ChatAccountData {
  /** The registration form, `${PUBLIC_URL}/register`. */
  registerUrl: string;
  companyName: string;
}

/** A ticket as `/tickets` lists it. */
export interface ChatTicketLine {
  number: number;
  subject: string;
  status: string;
}

/** The result of redeeming a one-time link code (`/start <code>`). */
export type LinkOutcome = 'linked' | 'invalid' | 'expired' | 'used' | 'identity_taken';

const STATUS_LABELS: Record<Locale, Record<string, string>> = {
  it: {
    new: 'nuovo',
    open: 'aperto',
    waiting_customer: 'in attesa di una sua risposta',
    scheduled: 'intervento programmato',
    in_progress: 'in lavorazione',
    resolved: 'risolto',
    closed: 'chiuso',
  },
  en: {
    new: 'new',
    open: 'open',
    waiting_customer: 'waiting for your reply',
    scheduled: 'intervention scheduled',
    in_progress: 'in progress',
    resolved: 'resolved',
    closed: 'closed',
  },
};

/** A ticket status as the customer reads it. */
export function ticketStatusLabel(status: string, locale: Locale): string {
  return STATUS_LABELS[locale][status] ?? status;
}

function commandList(locale: Locale): string {
  if (locale === 'en') {
    return [
      'Commands:',
      '/new text – open a new ticket',
      '/tickets – your open tickets',
      '/lang en or /lang it – language of our messages',
      '/link email – link this Telegram account to your customer account',
      '/help – this help',
    ].join('\n');
  }
  return [
    'Comandi:',
    '/new testo – apre un nuovo ticket',
    '/tickets – i suoi ticket aperti',
    '/lang it o /lang en – lingua dei nostri messaggi',
    '/link email – collega questo account Telegram al suo account cliente',
    '/help – questo aiuto',
  ].join('\n');
}

function howToLink(data: ChatAccountData, locale: Locale): string {
  if (locale === 'en') {
    return [
      'To open support requests from Telegram, this Telegram account must be linked to your customer account:',
      '- if you already have an account, write /link followed by your email address (for example /link mario.rossi@example.com): we will email you a link that connects it;',
      `- if you do not have an account yet, register for free at ${data.registerUrl}.`,
    ].join('\n');
  }
  return [
    'Per aprire richieste di assistenza da Telegram, questo account Telegram deve essere collegato al suo account cliente:',
    '- se ha già un account, scriva /link seguito dal suo indirizzo email (per esempio /link mario.rossi@example.com): le invieremo per email un link che lo collega;',
    `- se non ha ancora un account, si registri gratuitamente su ${data.registerUrl}.`,
  ].join('\n');
}

/** `/start` without a code: a greeting, then how to write (linked) or how to link (unlinked). */
export function chatWelcome(
  data: ChatAccountData & { customerName?: string },
  locale: Locale,
): RenderedMessage {
  if (locale === 'en') {
    const hello = data.customerName
      ? `Hello ${data.customerName}, this is the ${data.companyName} support assistant.`
      : `Hello, this is the ${data.companyName} support assistant.`;
    const body = data.customerName
      ? 'To ask for help, just describe the problem here: we will answer you in this chat.'
      : howToLink(data, locale);
    return rendered([hello, body, commandList(locale)].join('\n\n'));
  }
  const hello = data.customerName
    ? `Buongiorno ${data.customerName}, sono l'assistente dell'assistenza ${data.companyName}.`
    : `Buongiorno, sono l'assistente dell'assistenza ${data.companyName}.`;
  const body = data.customerName
    ? 'Per chiedere assistenza ci descriva qui il problema: le risponderemo in questa chat.'
    : howToLink(data, locale);
  return rendered([hello, body, commandList(locale)].join('\n\n'));
}

/** `/help`. */
export function chatHelp(data: ChatAccountData & { linked: boolean }, locale: Locale): RenderedMessage {
  if (!data.linked) return rendered([howToLink(data, locale), commandList(locale)].join('\n\n'));
  const text =
    locale === 'en'
      ? 'Write your request here. If you have one open ticket, your message is added to it; with several, we ask you which one it is about. To write on a specific ticket, reply to one of our messages about it. /new always opens a new ticket.'
      : 'Scriva qui la sua richiesta. Se ha un solo ticket aperto il messaggio viene aggiunto a quello; se ne ha più di uno le chiederemo a quale si riferisce. Per scrivere su un ticket preciso, risponda a un nostro messaggio di quel ticket. /new apre sempre un nuovo ticket.';
  return rendered([text, commandList(locale)].join('\n\n'));
}

/** A command that needs a linked account, from a Telegram account that is not linked. */
export function chatNotLinked(data: ChatAccountData, locale: Locale): RenderedMessage {
  const first =
    locale === 'en'
      ? 'This Telegram account is not linked to a customer account yet.'
      : 'Questo account Telegram non è ancora collegato a un account cliente.';
  return rendered([first, howToLink(data, locale)].join('\n\n'));
}

/** The answer to `/start <code>`. */
export function linkResult(
  outcome: LinkOutcome,
  data: { customerName?: string },
  locale: Locale,
): RenderedMessage {
  const name = data.customerName ? ` (${data.customerName})` : '';
  const again =
    locale === 'en'
      ? 'Ask for a new one with /link followed by your email address.'
      : 'Ne chieda uno nuovo con /link seguito dal suo indirizzo email.';
  if (locale === 'en') {
    switch (outcome) {
      case 'linked':
        return rendered(
          `Done: this Telegram account is now linked to your customer account${name}. You can send us your support requests here.`,
        );
      case 'expired':
        return rendered(`This link has expired (links work for 24 hours). ${again}`);
      case 'used':
        return rendered(`This link has already been used. ${again}`);
      case 'identity_taken':
        return rendered(
          'This Telegram account is already linked to another customer account. If this is a mistake, please contact our support.',
        );
      default:
        return rendered(`This link is not valid. ${again}`);
    }
  }
  switch (outcome) {
    case 'linked':
      return rendered(
        `Fatto: questo account Telegram ora è collegato al suo account cliente${name}. Può scriverci qui le sue richieste di assistenza.`,
      );
    case 'expired':
      return rendered(`Questo link è scaduto (vale 24 ore). ${again}`);
    case 'used':
      return rendered(`Questo link è già stato usato. ${again}`);
    case 'identity_taken':
      return rendered(
        "Questo account Telegram è già collegato a un altro account cliente. Se si tratta di un errore, contatti l'assistenza.",
      );
    default:
      return rendered(`Questo link non è valido. ${again}`);
  }
}

/** The answer to `/link address`, the same whether the address is known or not. */
export function linkRequested(locale: Locale): RenderedMessage {
  return rendered(
    locale === 'en'
      ? 'If the address belongs to one of our customers, we have sent it an email with a link that connects this Telegram account. The link works once, within 24 hours.'
      : "Se l'indirizzo appartiene a un nostro cliente, gli abbiamo inviato un'email con un link che collega questo account Telegram. Il link vale una sola volta, entro 24 ore.",
  );
}

/** `/link` asked too often from one account (the same answer whether the address is known or not). */
export function linkRateLimited(locale: Locale): RenderedMessage {
  return rendered(
    locale === 'en'
      ? 'You have asked for several links in the last hour. Please try again in an hour, or ask us to send you one.'
      : "Ha chiesto diversi link nell'ultima ora. Riprovi fra un'ora, oppure ci chieda di inviargliene uno.",
  );
}

/** `/link` without a valid address. */
export function linkUsage(locale: Locale): RenderedMessage {
  return rendered(
    locale === 'en'
      ? 'Write /link followed by your email address, for example: /link mario.rossi@example.com'
      : 'Scriva /link seguito dal suo indirizzo email, per esempio: /link mario.rossi@example.com',
  );
}

/** `/new` without text. */
export function newTicketNeedsText(locale: Locale): RenderedMessage {
  return rendered(
    locale === 'en'
      ? 'Write the problem after the command, for example: /new The printer does not print'
      : 'Scriva il problema dopo il comando, per esempio: /new La stampante non stampa',
  );
}

/** `/tickets`: the customer's open tickets with their status. */
export function openTicketsList(data: { tickets: ChatTicketLine[] }, locale: Locale): RenderedMessage {
  if (data.tickets.length === 0) {
    return rendered(
      locale === 'en'
        ? 'You have no open tickets. To open one, describe the problem here.'
        : 'Non ha ticket aperti. Per aprirne uno, ci descriva qui il problema.',
    );
  }
  const lines = data.tickets.map((t) => `#${t.number} ${t.subject} – ${ticketStatusLabel(t.status, locale)}`);
  const head = locale === 'en' ? 'Your open tickets:' : 'I suoi ticket aperti:';
  return rendered([head, ...lines].join('\n'));
}

/** `/lang it|en` done; written in the new language. */
export function languageChanged(locale: Locale): RenderedMessage {
  return rendered(
    locale === 'en'
      ? 'From now on we will write to you in English.'
      : "D'ora in poi le scriveremo in italiano.",
  );
}

/** `/lang` without `it` or `en`. */
export function languageUsage(locale: Locale): RenderedMessage {
  return rendered(
    locale === 'en'
      ? 'Write /lang en for English or /lang it for Italian.'
      : "Scriva /lang it per l'italiano o /lang en per l'inglese.",
  );
}

/** The ticket-choice question after a button was pressed (and the short button answer). */
export function ticketChosen(
  data: { ticketNumber: number; subject?: string },
  locale: Locale,
): RenderedMessage {
  const subject = data.subject ? `: "${data.subject}"` : '';
  return rendered(
    locale === 'en'
      ? `Message added to ticket #${data.ticketNumber}${subject}.`
      : `Messaggio aggiunto al ticket n. ${data.ticketNumber}${subject}.`,
  );
}

/** A ticket button pressed when no message is waiting for a choice (already assigned). */
export function choiceNothingPending(locale: Locale): RenderedMessage {
  return rendered(
    locale === 'en'
      ? 'There is no message waiting to be assigned to a ticket.'
      : 'Non ci sono messaggi in attesa di essere assegnati a un ticket.',
  );
}

/** A button press that could not be handled now (it is retried). */
export function choiceFailed(locale: Locale): RenderedMessage {
  return rendered(
    locale === 'en'
      ? 'We could not record your choice right now; we are trying again.'
      : 'Non è stato possibile registrare subito la sua scelta; stiamo riprovando.',
  );
}

/** A command the bot does not know. */
export function unknownCommand(locale: Locale): RenderedMessage {
  return rendered(
    locale === 'en'
      ? 'I do not know this command. Write /help for the list of commands.'
      : "Non conosco questo comando. Scriva /help per l'elenco dei comandi.",
  );
}
