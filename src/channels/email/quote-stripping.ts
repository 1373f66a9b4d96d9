/**
 * Finds the customer's own words in the plain text of an email reply: quoted history, the
 * attribution lines above it ("On … wrote:", "Il giorno … ha scritto:"), inline "Original Message"
 * blocks, forwarded messages and signatures are removed. Text written below a `>` quote
 * (bottom-posting, inline answers) is kept.
 */

/** How many physical lines an attribution like "On <date>, <name>\n<address>\nwrote:" may span. */
const MAX_ATTRIBUTION_LINES = 3;
const MAX_ATTRIBUTION_LENGTH = 400;

/** Words that open an attribution line: en, it, de, fr, es, pt, nl, sv/da/no, pl. */
const ATTRIBUTION_START = /^(on|il giorno|il|am|le|el|em|op|den|w dniu)\s/i;

/** The verbs of an attribution line, in the languages our customers (and their clients) use. */
const ATTRIBUTION_VERB =
  /(wrote|ha scritto|schrieb|a\s+écrit|escribió|escreveu|schreef|skrev|napisał|написал\(а\)|написал|написала)/i;

/** Verb at the very end: "Mario Rossi <m@x.it> ha scritto:" (any start). */
const ATTRIBUTION_VERB_AT_END = new RegExp(`${ATTRIBUTION_VERB.source}\\s*:$`, 'i');

/** Something that looks like a date, a time or an address: what attribution lines carry. */
const DATE_TIME_OR_ADDRESS =
  /\d{1,4}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}:\d{2}|@|\b(?:19|20)\d{2}\b|\b\d{1,2}\s+\p{L}{3,}\.?\s+(?:19|20)\d{2}\b/u;

/** `-----Original Message-----`, `-------- Messaggio inoltrato --------` and their kin. */
const ORIGINAL_MESSAGE_SEPARATOR =
  /^-{2,}\s*(original message|messaggio originale|ursprüngliche nachricht|message d'origine|mensaje original|mensagem original|forwarded message|messaggio inoltrato|weitergeleitete nachricht|message transféré|mensaje reenviado|mensagem encaminhada)\s*-{2,}$/i;

/** Apple Mail and Outlook forwards without dashes. */
const FORWARD_INTRO =
  /^(begin forwarded message|inizio messaggio inoltrato|anfang der weitergeleiteten nachricht|début du message réexpédié)\s*:$/i;

/** A line made only of underscores: Outlook's separator above `From:`, or a mailing-list footer. */
const UNDERSCORE_LINE = /^_{10,}$/;
/** A horizontal rule: what html-to-text makes of `<hr>` (Hotmail, Outlook.com web) and typed rules. */
const RULE_LINE = /^[-—–=_*]{10,}$/;

/** First line of an Outlook-style header block (`From:`, Italian `Da:`, German `Von:`…), `*bold*` allowed. */
const HEADER_BLOCK_FROM = /^\*?(from|da|de|von|van|fra|från|od)\s*:\*?\s*\S/i;
/** Further lines of such a block. */
const HEADER_BLOCK_FIELD =
  /^\*?(sent|date|to|cc|subject|inviato|data|a|oggetto|gesendet|datum|an|betreff|envoyé|objet|à|enviado|fecha|para|asunto|assunto)\s*:\*?/i;
/** The fields that make a block unmistakably a header block (not "Da: 9:00 A: 12:00"). */
const HEADER_BLOCK_STRONG_FIELD =
  /^\*?(sent|date|subject|inviato|data|oggetto|gesendet|datum|betreff|envoyé|objet|enviado|fecha|asunto|assunto)\s*:\*?/i;

/** A signature delimiter (`-- `, also without the trailing space) or a phone/app signature line. */
const SIGNATURE_LINE = new RegExp(
  [
    '^--\\s*$',
    '^sent from my\\s',
    '^sent from (mail for windows|outlook|yahoo mail|samsung|iphone|ipad|android)',
    '^sent via blackberry',
    '^get outlook for\\s',
    '^inviato da (iphone|ipad|android|outlook|yahoo|posta per windows|blackberry|samsung|dispositivo|smartphone|tablet|libero mail|mail per)',
    '^inviato dal mio\\s',
    '^(scarica|ottieni) outlook per\\s',
    '^von meinem .* gesendet',
    '^gesendet von meinem\\s',
    '^(envoyé|envoye) (de|depuis) mon\\s',
    '^enviado (desde|do) (mi|meu)\\s',
  ].join('|'),
  'i',
);

type LineKind = 'text' | 'quote' | 'attribution';

/** Compares lines without the noise mail clients add (non-breaking spaces, `\r`, indentation). */
function clean(line: string): string {
  return line.replace(/[\u00a0\u200b\ufeff]/g, ' ').trim();
}

function isQuoteLine(line: string): boolean {
  return /^\s*>/.test(line);
}

function isBlank(line: string): boolean {
  return clean(line) === '';
}

function nextNonBlank(lines: readonly string[], from: number): number {
  let index = from;
  while (index < lines.length && isBlank(lines[index]!)) index += 1;
  return index;
}

/** The window of `count` lines from `start`, joined with single spaces, or undefined when it crosses a blank or quote line. */
function window(lines: readonly string[], start: number, count: number): string | undefined {
  if (start + count > lines.length) return undefined;
  const parts: string[] = [];
  for (let index = start; index < start + count; index += 1) {
    const line = lines[index]!;
    if (isBlank(line) || isQuoteLine(line)) return undefined;
    parts.push(clean(line));
  }
  const joined = parts.join(' ').replace(/\s+/g, ' ');
  return joined.length <= MAX_ATTRIBUTION_LENGTH ? joined : undefined;
}

/** "On <date>, <name> wrote:" in any of our languages, possibly spread over up to three lines. */
function isKnownAttribution(joined: string): boolean {
  if (!joined.endsWith(':')) return false;
  if (ATTRIBUTION_START.test(joined) && ATTRIBUTION_VERB.test(joined)) return true;
  return ATTRIBUTION_VERB_AT_END.test(joined);
}

/**
 * The number of lines of the attribution starting at `start`, or 0. A window of more than one line
 * must start like an attribution (a known opening word, or a date or an address), so that the
 * customer's sentence above an attribution is never swallowed.
 */
function knownAttributionLength(lines: readonly string[], start: number): number {
  for (let count = 1; count <= MAX_ATTRIBUTION_LINES; count += 1) {
    const joined = window(lines, start, count);
    if (joined === undefined) return 0;
    if (!isKnownAttribution(joined)) continue;
    if (count === 1) return 1;
    const first = clean(lines[start]!);
    if (ATTRIBUTION_START.test(first)) return count;
    if (!DATE_TIME_OR_ADDRESS.test(first)) continue;
    // Prefer a window starting further down that opens with a known word ("Hi,\nOn … wrote:").
    for (let later = start + 1; later < start + count; later += 1) {
      if (ATTRIBUTION_START.test(clean(lines[later]!))) return 0;
    }
    return count;
  }
  return 0;
}

/**
 * The lines just above a `>` block that introduce it in a language we do not know ("02.04.2012
 * 14:20 пользователь … написал:"): up to three lines, ending with `:`, starting with a date, a time
 * or an address. Returns the index of the first such line, or -1.
 */
function unknownAttributionAbove(lines: readonly string[], kinds: readonly LineKind[], last: number): number {
  let best = -1;
  for (let count = 1; count <= MAX_ATTRIBUTION_LINES; count += 1) {
    const start = last - count + 1;
    if (start < 0 || kinds[start] !== 'text') break;
    const joined = window(lines, start, count);
    if (joined === undefined) break;
    if (!joined.endsWith(':') && !/^\d{4}[/-]\d{1,2}[/-]\d{1,2}\s.*>$/.test(joined)) continue;
    if (DATE_TIME_OR_ADDRESS.test(clean(lines[start]!))) best = start;
  }
  return best;
}

/**
 * An Outlook-style `From:` / `Sent:` / `To:` / `Subject:` block starting at `start`. It usually
 * opens with `From:`/`Da:`; a block opening with another field (`Subject:`/`Oggetto:`,
 * `To:`/`A:`, as some webmails write it) must be all fields, with `From:`/`Da:` among them.
 */
function isHeaderBlock(lines: readonly string[], start: number): boolean {
  const first = clean(lines[start]!);
  const fromFirst = HEADER_BLOCK_FROM.test(first);
  if (!fromFirst && !HEADER_BLOCK_FIELD.test(first)) return false;
  let fields = 0;
  let strong = HEADER_BLOCK_STRONG_FIELD.test(first);
  let from = fromFirst;
  for (let index = start + 1; index < Math.min(lines.length, start + 7); index += 1) {
    const line = clean(lines[index]!);
    if (line === '') break;
    if (HEADER_BLOCK_FROM.test(line)) {
      from = true;
      fields += 1;
    } else if (HEADER_BLOCK_FIELD.test(line)) {
      fields += 1;
      if (HEADER_BLOCK_STRONG_FIELD.test(line)) strong = true;
    } else if (!fromFirst) {
      return false;
    }
  }
  return fromFirst ? fields >= 2 && strong : from && fields >= 2 && strong;
}

/** Where an unmarked copy of an earlier (or forwarded) message begins: everything below is cut. */
function isHardCut(lines: readonly string[], index: number): boolean {
  const line = clean(lines[index]!);
  if (ORIGINAL_MESSAGE_SEPARATOR.test(line) || FORWARD_INTRO.test(line)) return true;
  if (UNDERSCORE_LINE.test(line) || RULE_LINE.test(line)) {
    const next = nextNonBlank(lines, index + 1);
    if (next >= lines.length) return false;
    return HEADER_BLOCK_FROM.test(clean(lines[next]!)) || isHeaderBlock(lines, next);
  }
  return isHeaderBlock(lines, index);
}

/** Drops the signature from one run of the customer's lines, and the blank lines around it. */
function withoutSignature(segment: readonly string[]): string[] {
  let end = segment.length;
  for (let index = 0; index < segment.length; index += 1) {
    const line = clean(segment[index]!);
    if (SIGNATURE_LINE.test(line) || UNDERSCORE_LINE.test(line)) {
      end = index;
      break;
    }
  }
  // A rule left in the customer's own words (an `<hr>` they typed) is layout, not text.
  const kept = segment
    .slice(0, end)
    .filter((line) => !RULE_LINE.test(clean(line)) || UNDERSCORE_LINE.test(clean(line)))
    .map((line) => line.trimEnd());
  while (kept.length > 0 && kept[0] === '') kept.shift();
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  return kept;
}

/**
 * The customer's own words in a plain-text mail body: quoted history (`>` lines and the
 * attribution above them, "Original Message" and `From:`/`Da:` header blocks and everything below
 * them, forwarded messages) and signatures (`-- `, "Sent from my iPhone", "Inviato da iPhone"…)
 * removed. Text written below or between quotes is kept, each run separated by a blank line.
 *
 * Forwarded content counts as quote: the full text keeps it. When nothing is left (the message is
 * all quote or all signature), the trimmed original is returned, so the result is never empty
 * unless the input is.
 */
export function extractNewText(text: string): string {
  const normalised = text.replace(/\r\n?/g, '\n');
  const lines = normalised.split('\n');
  const kinds: LineKind[] = lines.map((line) => (isQuoteLine(line) ? 'quote' : 'text'));

  let end = lines.length;
  for (let index = 0; index < lines.length; index += 1) {
    if (kinds[index] !== 'text' || isBlank(lines[index]!)) continue;
    if (isHardCut(lines, index)) {
      end = index;
      break;
    }
    const length = knownAttributionLength(lines, index);
    if (length === 0) continue;
    const after = nextNonBlank(lines, index + length);
    if (after < lines.length && kinds[after] === 'quote') {
      for (let line = index; line < index + length; line += 1) kinds[line] = 'attribution';
      index += length - 1;
    } else if (DATE_TIME_OR_ADDRESS.test(window(lines, index, length) ?? '')) {
      // An attribution followed by an unmarked copy (Outlook for Mac, Yahoo, html-to-text output);
      // it must carry a date or an address, so "Il tecnico ha scritto:" in prose cuts nothing.
      end = index;
      break;
    }
  }

  // Attributions in languages we do not know, recognised by the `>` block right below them.
  for (let index = 0; index < end; index += 1) {
    if (kinds[index] !== 'quote' || (index > 0 && kinds[index - 1] === 'quote')) continue;
    let last = index - 1;
    while (last >= 0 && kinds[last] === 'text' && isBlank(lines[last]!)) last -= 1;
    if (last < 0 || kinds[last] !== 'text') continue;
    const first = unknownAttributionAbove(lines, kinds, last);
    for (let line = first; first >= 0 && line <= last; line += 1) kinds[line] = 'attribution';
  }

  const segments: string[] = [];
  let current: string[] = [];
  const flush = (): void => {
    const kept = withoutSignature(current);
    if (kept.length > 0) segments.push(kept.join('\n'));
    current = [];
  };
  for (let index = 0; index < end; index += 1) {
    if (kinds[index] === 'text') current.push(lines[index]!);
    else flush();
  }
  flush();

  const result = segments.join('\n\n').trim();
  return result === '' ? normalised.trim() : result;
}
