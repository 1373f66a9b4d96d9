/**
 * `/helpdesk` (the name is `SLACK_COMMAND`): parsing of its text. Pure.
 */
import { parseDuration } from '../../core/billing/duration.js';
import type { EntryKind } from '../../core/billing/pricing.js';
import { parseIdNumber } from '../../core/id-numbers.js';
import { escapeChatMarkup } from '../../templates/format.js';

export { parseDuration };

export type HelpdeskCommand =
  | { kind: 'help' }
  | { kind: 'list' }
  | { kind: 'take' | 'resolve' | 'reopen' | 'consent' | 'summary' | 'cancel' | 'move'; number: number }
  | { kind: 'propose'; number: number; mode?: 'remote' | 'onsite'; minutes?: number }
  | { kind: 'note' | 'reply'; number: number; text: string }
  | { kind: 'contact'; number: number; medium: 'phone'; text: string }
  | { kind: 'time'; number: number; minutes: number; text: string; entryKind: EntryKind; billable: boolean }
  | { kind: 'session'; number: number; action: 'start' | 'end' }
  | { kind: 'usage'; message: string };

/** One line per sub-command, Italian then English, shown by `help` and after a wrong command. */
export function commandUsage(command: string): string {
  return [
    `${command} list — ticket aperti / open tickets`,
    `${command} take N — prendo io il ticket N / assign ticket N to me`,
    `${command} note N testo — nota interna / internal note`,
    `${command} reply N testo — risposta al cliente / reply to the customer`,
    `${command} resolve N — risolvi / resolve`,
    `${command} reopen N — riapri / reopen`,
    `${command} contact N phone testo — telefonata fatta (vale come primo contatto) / phone call made (counts as first contact)`,
    `${command} time N 1h30 testo — registra tempo (anche 90m, 1:30, 1,5h; aggiungi "telefono", "sede" o "gratis") / log time`,
    `${command} summary N — riepilogo ore del ticket nel thread / hours summary in the thread`,
    `${command} propose N [remote|onsite] [durata] — proponi orari al cliente / propose slots to the customer`,
    `${command} cancel N — annulla l'appuntamento del ticket N / cancel the appointment`,
    `${command} move N — annulla l'appuntamento e proponi nuovi orari / cancel and propose new slots`,
    `${command} consent N — chiedi il consenso al collegamento remoto / ask for remote-access consent`,
    `${command} session N start|end — avvia / chiudi la sessione remota (dopo il sì) / start or end the remote session`,
    `${command} help — questo aiuto / this help`,
  ].join('\n');
}

/** Parses the command's text; anything wrong gives `usage` with what was wrong. */
export function parseHelpdeskCommand(text: string, command = '/helpdesk'): HelpdeskCommand {
  const [verb = '', ...rest] = text.trim().split(/\s+/);
  const usage = (line: string): HelpdeskCommand => ({
    kind: 'usage',
    message: `Uso: ${command} ${line} / Usage: ${command} ${line}`,
  });
  // Decimal digits within the column's range only: `1e3`, `0x3e8` or 2^31 are not a ticket number.
  const parsedNumber = parseIdNumber(rest[0], { allowHash: true });
  const number = parsedNumber ?? 0;
  const hasNumber = parsedNumber !== undefined;
  const after = (n: number) =>
    text
      .trim()
      .split(/\s+/)
      .slice(n + 1)
      .join(' ');
  switch (verb.toLowerCase()) {
    case '':
    case 'help':
      return { kind: 'help' };
    case 'list':
      return { kind: 'list' };
    case 'take':
    case 'resolve':
    case 'reopen':
    case 'consent':
    case 'summary':
    case 'cancel':
    case 'move':
      return hasNumber ? { kind: verb.toLowerCase() as 'take', number } : usage(`${verb.toLowerCase()} N`);
    case 'propose': {
      // propose N [remote|onsite] [duration], the two options in either order.
      const options = rest.slice(1);
      let mode: 'remote' | 'onsite' | undefined;
      let minutes: number | undefined;
      for (const option of options) {
        if (/^(remote|remoto|onsite|sede)$/i.test(option))
          mode = /^(remote|remoto)$/i.test(option) ? 'remote' : 'onsite';
        else if (parseDuration(option) !== undefined) minutes = parseDuration(option);
        else return usage('propose N [remote|onsite] [durata, es. 1h30]');
      }
      if (!hasNumber || (minutes !== undefined && (minutes < 15 || minutes > 180))) {
        return usage('propose N [remote|onsite] [durata, es. 1h30]');
      }
      return { kind: 'propose', number, mode, minutes };
    }
    case 'note':
    case 'reply': {
      const body = after(1);
      return hasNumber && body
        ? { kind: verb.toLowerCase() as 'note', number, text: body }
        : usage(`${verb.toLowerCase()} N testo`);
    }
    case 'contact': {
      const body = after(2);
      return hasNumber && /^(phone|telefono)$/i.test(rest[1] ?? '') && body
        ? { kind: 'contact', number, medium: 'phone', text: body }
        : usage('contact N phone testo');
    }
    case 'session': {
      const action = (rest[1] ?? '').toLowerCase();
      return hasNumber && (action === 'start' || action === 'end')
        ? { kind: 'session', number, action }
        : usage('session N start|end');
    }
    case 'time': {
      const duration = leadingDuration(rest.slice(1));
      if (!hasNumber || !duration) return usage('time N 1h30 [telefono|sede|gratis] testo');
      return {
        kind: 'time',
        number,
        minutes: duration.minutes,
        ...timeFlags(rest.slice(1 + duration.words)),
      };
    }
    default:
      return {
        kind: 'usage',
        message: `Comando sconosciuto / Unknown command "${escapeChatMarkup(verb)}".\n${commandUsage(command)}`,
      };
  }
}

/**
 * The duration at the start of `words`, which may be typed with spaces (`1h 30m`, `2 h`,
 * `1 h 30 min`): the most words (up to 4) that read as one duration and end with a unit, else the
 * first word alone (`90`, `1h30`). So `1h 30m disco` is 90 minutes, not 60 with the note `30m disco`;
 * `1h 2 pc` is 60 minutes with the note `2 pc`.
 */
function leadingDuration(words: string[]): { minutes: number; words: number } | undefined {
  for (let n = Math.min(4, words.length); n >= 2; n--) {
    if (!/[a-z]$/i.test(words[n - 1]!)) continue;
    const minutes = parseDuration(words.slice(0, n).join(' '));
    if (minutes !== undefined) return { minutes, words: n };
  }
  const minutes = parseDuration(words[0] ?? '');
  return minutes === undefined ? undefined : { minutes, words: 1 };
}

const KIND_WORDS: Record<string, EntryKind> = {
  remoto: 'remote',
  remote: 'remote',
  telefono: 'phone',
  phone: 'phone',
  sede: 'on_site',
  onsite: 'on_site',
  'on-site': 'on_site',
};
const FREE_WORDS = new Set(['gratis', 'free', 'nonfatturabile']);

/** Leading words after the duration: the kind (remote by default) and `gratis` (not billable). */
function timeFlags(words: string[]): { entryKind: EntryKind; billable: boolean; text: string } {
  let entryKind: EntryKind = 'remote';
  let billable = true;
  let i = 0;
  for (; i < words.length; i++) {
    const word = words[i]!.toLowerCase();
    if (KIND_WORDS[word]) entryKind = KIND_WORDS[word];
    else if (FREE_WORDS.has(word)) billable = false;
    else break;
  }
  return { entryKind, billable, text: words.slice(i).join(' ') };
}
