/**
 * The prefixes mail and chat clients put before a subject, by language, in one list: replies
 * `Re`, `R`, `Rif` (it), `AW` (de), `SV` (nordic), `VS` (fi), `Antw` (nl), `Ref`; forwards
 * `Fwd`/`Fw`, `I` (it), `WG` (de), `TR` (fr). Each may carry a count (`Re[2]:`, `Re(2):`).
 * Read by the email composer (adds `Re:` only where no reply prefix is) and by
 * {@link stripSubjectPrefixes} (a new ticket's subject).
 */
const SUBJECT_PREFIX_WORDS = {
  reply: ['re', 'r', 'rif', 'aw', 'sv', 'vs', 'antw', 'ref'],
  forward: ['fwd', 'fw', 'i', 'wg', 'tr'],
} as const;

function prefixPattern(words: readonly string[]): RegExp {
  return new RegExp(`^\\s*(?:${words.join('|')})\\s*(?:\\[\\d+\\]|\\(\\d+\\))?\\s*:\\s*`, 'i');
}

/** One reply prefix at the start of a subject. */
export const REPLY_PREFIX = prefixPattern(SUBJECT_PREFIX_WORDS.reply);

/** One reply or forward prefix at the start of a subject. */
const ANY_PREFIX = prefixPattern([...SUBJECT_PREFIX_WORDS.reply, ...SUBJECT_PREFIX_WORDS.forward]);

/** One of our ticket tags at the start: `[#1042]`, `(#1042)`, `[Ticket #1042]`. */
const LEADING_TICKET_TAG = /^\s*[[(](ticket\s*)?#\s*\d+[\])]\s*/i;

/**
 * The subject without the reply and forward prefixes and ticket tags before it, repeated
 * (`Re: Fwd: [#12] R: Stampante` → `Stampante`); trimmed.
 */
export function stripSubjectPrefixes(subject: string): string {
  let rest = subject.trim();
  for (let previous = ''; previous !== rest; ) {
    previous = rest;
    rest = rest.replace(ANY_PREFIX, '').replace(LEADING_TICKET_TAG, '').trim();
  }
  return rest;
}
