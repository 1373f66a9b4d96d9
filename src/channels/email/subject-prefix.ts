/**
 * The reply prefixes mail clients put before a subject, by language: `Re`, `R`, `Rif` (it),
 * `AW` (de), `SV` (nordic), `VS` (fi), `Antw` (nl), `Ref`; each may carry a count (`Re[2]:`,
 * `Re(2):`). The composer adds `Re:` only where none is.
 */
const REPLY_WORDS = ['re', 'r', 'rif', 'aw', 'sv', 'vs', 'antw', 'ref'];

function prefixPattern(words: readonly string[]): RegExp {
  return new RegExp(`^\\s*(?:${words.join('|')})\\s*(?:\\[\\d+\\]|\\(\\d+\\))?\\s*:\\s*`, 'i');
}

/** One reply prefix at the start of a subject. */
export const REPLY_PREFIX = prefixPattern(REPLY_WORDS);
