/**
 * The prefixes mail clients put before a subject, by language: replies `Re`, `R`, `Rif` (it),
 * `AW` (de), `SV` (nordic), `VS` (fi), `Antw` (nl), `Ref`; forwards `Fwd`/`Fw`, `I` (it), `WG`
 * (de), `TR` (fr); each may carry a count (`Re[2]:`, `Re(2):`). One list for both readers: the
 * parser that strips them and the composer that adds `Re:` only where none is.
 */
const REPLY_WORDS = ['re', 'r', 'rif', 'aw', 'sv', 'vs', 'antw', 'ref'];
const FORWARD_WORDS = ['fwd', 'fw', 'i', 'wg', 'tr'];

function prefixPattern(words: readonly string[]): RegExp {
  return new RegExp(`^\\s*(?:${words.join('|')})\\s*(?:\\[\\d+\\]|\\(\\d+\\))?\\s*:\\s*`, 'i');
}

/** One reply prefix at the start of a subject. */
export const REPLY_PREFIX = prefixPattern(REPLY_WORDS);

/** One reply or forward prefix at the start of a subject. */
export const SUBJECT_PREFIX = prefixPattern([...REPLY_WORDS, ...FORWARD_WORDS]);
