/**
 * `/helpdesk` (the name is `SLACK_COMMAND`): parsing of its text. Pure.
 */

export type HelpdeskCommand =
  | { kind: 'help' }
  | { kind: 'list' }
  | { kind: 'take' | 'resolve' | 'reopen' | 'consent' | 'cancel' | 'move'; number: number }
  | { kind: 'propose'; number: number; mode?: 'remote' | 'onsite'; minutes?: number }
  | { kind: 'note' | 'reply'; number: number; text: string }
  | { kind: 'contact'; number: number; medium: 'phone'; text: string }
  | { kind: 'time'; number: number; minutes: number; text: string }
  | { kind: 'usage'; message: string };

/** One line per sub-command, shown by `help` and after a wrong command. */
export function commandUsage(command: string): string {
  return [
    `${command} list — ticket aperti`,
    `${command} take N — prendo io il ticket N`,
    `${command} note N testo — nota interna`,
    `${command} reply N testo — risposta al cliente`,
    `${command} resolve N — risolvi`,
    `${command} reopen N — riapri`,
    `${command} contact N phone testo — telefonata fatta (vale come primo contatto)`,
    `${command} time N 1h30 testo — registra tempo`,
    `${command} propose N [remote|onsite] [durata] — proponi orari al cliente`,
    `${command} consent N — chiedi il consenso`,
    `${command} cancel N — annulla l'appuntamento del ticket N`,
    `${command} move N — annulla l'appuntamento e proponi nuovi orari`,
    `${command} help — questo aiuto`,
  ].join('\n');
}

/** `1h30`, `1h`, `45m`, `90` (minutes) → minutes; undefined when not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(?:(\d{1,3})h)?(?:(\d{1,3})m?)?$/i.exec(text);
  if (!match || (!match[1] && !match[2])) return undefined;
  const minutes = Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
  return minutes > 0 && minutes <= 24 * 60 ? minutes : undefined;
}

/** Parses the command's text; anything wrong gives `usage` with what was wrong. */
export function parseHelpdeskCommand(text: string, command = '/helpdesk'): HelpdeskCommand {
  const [verb = '', ...rest] = text.trim().split(/\s+/);
  const usage = (line: string): HelpdeskCommand => ({ kind: 'usage', message: `Uso: ${command} ${line}` });
  const number = Number(rest[0]?.replace(/^#/, ''));
  const hasNumber = Number.isInteger(number) && number > 0;
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
    case 'time': {
      const minutes = parseDuration(rest[1] ?? '');
      return hasNumber && minutes !== undefined
        ? { kind: 'time', number, minutes, text: after(2) }
        : usage('time N 1h30 testo');
    }
    default:
      return { kind: 'usage', message: `Comando sconosciuto "${verb}".\n${commandUsage(command)}` };
  }
}
