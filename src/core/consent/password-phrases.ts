/**
 * Passwords written after a password word (terms T8), Italian and English. Pure; used by
 * `redactSecrets` in redaction.ts. Why it reads word by word rather than with one pattern, and the
 * cases it is held to: docs/consent.md, "Password phrases, word by word".
 *
 * After a password word (`password`, `pwd`, `pw`, `pass`, `passwd`, `PIN`, `parola d'ordine`,
 * `codice di accesso`, `passcode`, `passphrase`, `credenziali`, `credentials`) the words that lead
 * to the value are skipped (`è`, `is`, `è stata reimpostata a`, `temporanea`, `del suo account`,
 * `for the PC`); then:
 * - a quoted value goes whole (`password = "my secret pass"`);
 * - after an explicit separator (`:`, `=`, `->`, `=>`, `-`, on the same line or up to two lines
 *   below) the value runs to the end of its clause (`, `, `; `, `. `, end of line): a passphrase
 *   with spaces goes whole, any length counts (`password: x`);
 * - without a separator, the next word of 3 or more characters, unless it says there is no value
 *   (`la password non funziona`, `password dimenticata`);
 * - and in every case, among the next three words of the line, any shaped like a password (4+ characters,
 *   a letter and a digit or symbol: `Passw0rd!2024` in `password admin Passw0rd!2024`).
 */

/** The words that announce a password. */
const PASSWORD_WORD =
  /\b(?:password|passwd|passw|pass|pwd|pw|parola\s+d['’]ordine|codice\s+(?:di\s+)?accesso|pin|passcode|passphrase|kennwort|credenziali|credentials)\b/giu;

/** Words between the password word and its value that are not the value. */
const LEADING_WORDS = new Set(
  (
    "è e' e’ e is are sarebbe was era sarà will be diventa becomes " +
    'nuova nuovo new attuale current temporanea temporaneo temporary provvisoria provvisorio ' +
    'iniziale initial stata stato been has have ha just appena ' +
    'reimpostata reimpostato impostata impostato cambiata cambiato modificata modificato ' +
    'aggiornata aggiornato generata generato creata creato set changed updated ' +
    'a ad to ora adesso now sua suo tua tuo vostra vostro your my mia mio la il lo the ' +
    'seguente following questa this'
  ).split(' '),
);

/** Words right after a password word that mean no password follows ("la password non funziona"). */
export const NOT_A_SECRET = new Set(
  (
    'non not no is e è di del della per for che that dimenticata dimenticato forgotten ' +
    'sbagliata sbagliato wrong scaduta scaduto expired errata errato reset funziona work works ' +
    'doesn don ti te la le lo una un the a and ed o or dopo later please grazie thanks help ' +
    'aiuto ancora again sul on in su al to da from with con nel sulla ieri oggi domani yesterday ' +
    'today tomorrow più mai never bloccata bloccato locked richiesta ricevuta ricevuto received ' +
    'request requested via by al alla'
  ).split(' '),
);

/** `del suo account`, `for the PC`, `di Windows`, `dell'utente`: whose password it is. */
const OWNER_GROUP =
  /(?:(?:del|della|dello|dei|degli|delle|di|for|of|per|on|sul|sulla|sullo|al|alla|allo)[ \t]+(?:(?:il|la|lo|i|gli|le|the|my|your|mio|mia|tuo|tua|suo|sua|vostro|vostra|nostro|nostra)[ \t]+)*|(?:dell|all|sull|l)['’])[\p{L}\p{N}_-]+/uy;
const LEADING_WORD = /[\p{L}'’]+/uy;
const BLANK = /[ \t]+/y;
/** An explicit separator, then optionally the value on one of the next two lines. */
const SEPARATOR = /[ \t]*(?:[:=]|->|=>|-)[ \t]*(?:\r?\n[ \t]*){0,2}/y;
/** No separator, the value alone under the password word. */
const LINE_BREAK = /[ \t]*\r?\n[ \t]*/y;
const QUOTED = /(["'«“])([^"'«»“”\r\n]{1,128})(["'»”])/y;
/**
 * The clause after a separator: up to `, `, `; `, `. `, a quote, a tag or the line's end (`!` and
 * `?` end many passwords, so they do not end it).
 */
const CLAUSE = /[^"<\r\n]+?(?=[,;.][ \t]|["<]|[ \t]*\r?$|[ \t]*\r?\n)/uy;
const WORD = /[^\s"'»”]+/uy;
/** A clause longer than this after a separator is prose: only its first word is taken. */
const MAX_CLAUSE = 64;

/** 4+ characters, a letter and a digit or a symbol; not a link or an e-mail address. */
export function looksLikePassword(word: string): boolean {
  if (word.length < 4 || word.length > 128) return false;
  if (!/\p{L}/u.test(word) || !/[\p{N}!#$%&*+=?@^_~|\\/<>{}[\]()]/u.test(word)) return false;
  if (/:\/\/|^www\./i.test(word) || /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(word)) return false;
  return true;
}

function matchAt(pattern: RegExp, text: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at;
  return pattern.exec(text);
}

/** A value found: where it is in the text and the text itself. */
interface Found {
  start: number;
  value: string;
}

/** Skips the words leading from a password word to its value; returns where the value may start. */
function skipLeadingWords(text: string, from: number): number {
  let at = from;
  for (let step = 0; step < 8; step++) {
    const blank = matchAt(BLANK, text, at);
    if (!blank) break;
    const word = at + blank[0].length;
    const owner = matchAt(OWNER_GROUP, text, word);
    if (owner) {
      at = word + owner[0].length;
      continue;
    }
    const leading = matchAt(LEADING_WORD, text, word);
    if (!leading || !LEADING_WORDS.has(leading[0].toLowerCase())) break;
    // A leading word ends there (`è:`, `è `), it does not start a longer one.
    const after = text[word + leading[0].length];
    if (after !== undefined && !/[\s:=-]/.test(after)) break;
    at = word + leading[0].length;
  }
  return at;
}

/** Words shaped like a password among the `count` words after `from` on its line. */
function passwordShapedAfter(text: string, from: number, count: number): Found[] {
  const lineEnd = text.indexOf('\n', from);
  const line = text.slice(from, lineEnd === -1 ? undefined : lineEnd);
  const found: Found[] = [];
  let seen = 0;
  for (const word of line.matchAll(/[^\s,;]+/gu)) {
    if (++seen > count) break;
    const value = word[0].replace(/[.:!?)]+$/, '');
    if (looksLikePassword(value) && !value.startsWith('[')) found.push({ start: from + word.index, value });
  }
  return found;
}

/** The values after one password word that ends at `from`. */
function valuesAfter(text: string, from: number): Found[] {
  const lead = skipLeadingWords(text, from);
  const separator = matchAt(SEPARATOR, text, lead);
  const gap = separator ?? matchAt(LINE_BREAK, text, lead) ?? matchAt(BLANK, text, lead);
  if (!gap) return [];
  const start = lead + gap[0].length;
  const quoted = matchAt(QUOTED, text, start);
  if (quoted) return [{ start: start + quoted[1]!.length, value: quoted[2]! }];
  const word = (matchAt(WORD, text, start)?.[0] ?? '').replace(/[,;]+$/, '');
  const first = word.toLowerCase().replace(/[.,;:!?]+$/, '');
  const isValue = word !== '' && !NOT_A_SECRET.has(first) && !word.startsWith('[');
  if (isValue && separator) {
    const clause = matchAt(CLAUSE, text, start)?.[0] ?? word;
    if (clause.length <= MAX_CLAUSE) return [{ start, value: clause }];
  }
  const found: Found[] = isValue && (separator || word.length >= 3) ? [{ start, value: word }] : [];
  // `password admin Passw0rd!2024`: the value may be a later word of the same phrase.
  const after = start + word.length;
  return [...found, ...passwordShapedAfter(text, after, 3)];
}

/**
 * Every value announced by a password word in `text`, in order, without overlaps.
 * Never throws; linear in the text's length (each password word looks at one line).
 */
export function passwordValues(text: string): Found[] {
  const all: Found[] = [];
  PASSWORD_WORD.lastIndex = 0;
  for (let match = PASSWORD_WORD.exec(text); match; match = PASSWORD_WORD.exec(text)) {
    for (const value of valuesAfter(text, match.index + match[0].length)) {
      const last = all[all.length - 1];
      if (!last || value.start >= last.start + last.value.length) all.push(value);
    }
    const last = all[all.length - 1];
    if (last && last.start + last.value.length > PASSWORD_WORD.lastIndex)
      PASSWORD_WORD.lastIndex = last.start + last.value.length;
  }
  return all;
}
