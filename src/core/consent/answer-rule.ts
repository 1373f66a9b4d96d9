/**
 * The consent answer rule (terms T4, T5): what a customer's reply to a remote-access request
 * means. Pure. Only the customer's NEW words count (the channels already removed quotes and
 * signatures). The rule, also written in the README ("Remote-access consent"):
 *
 * 1. The text is normalised: lower case, accents removed (`sì` → `si`), emoji skin tones removed,
 *    punctuation removed, spaces collapsed.
 * 2. It is read as a sequence of known phrases. A reply made ONLY of yes-phrases (and politeness
 *    like `grazie`, `please`) grants; one made ONLY of no-phrases (and politeness) refuses.
 * 3. A question mark makes any reply unclear (`sì?` asks something back).
 * 4. Anything else — a condition ("sì ma dopo le 15"), a deferral ("domani"), a mix of yes and no,
 *    a question, an unknown word, an empty text — is NOT consent: the customer is asked for a
 *    plain yes or no. When in doubt the rule refuses to guess.
 */

export type ConsentAnswer = 'yes' | 'no' | 'unclear';

/** Plain yes, Italian and English (after normalisation). Multi-word phrases are matched whole. */
const YES_PHRASES = [
  'si',
  'yes',
  'ok',
  'okay',
  'va bene',
  'certo',
  'certamente',
  'autorizzo',
  'confermo',
  'd accordo',
  'daccordo',
  'accetto',
  'yep',
  'yeah',
  'sure',
  'i agree',
  'agreed',
  'i authorise',
  'i authorize',
  'go ahead',
  'proceed',
  'procedi',
  'procedi pure',
  'vai pure',
  '👍',
];

/** Plain no (and stop), Italian and English (T5). */
const NO_PHRASES = [
  'no',
  'stop',
  'basta',
  'annulla',
  'interrompi',
  'rifiuto',
  'non autorizzo',
  'cancel',
  'cancella',
  'nope',
  'i refuse',
  'refuse',
  'abort',
  '👎',
];

/** Words that change nothing when they come with a plain yes or no. */
const POLITE_PHRASES = ['grazie', 'grazie mille', 'thanks', 'thank you', 'please', 'per favore', 'prego'];

type Kind = 'yes' | 'no' | 'polite';
const PHRASES: Array<[string[], Kind]> = [
  ...YES_PHRASES.map((p): [string[], Kind] => [p.split(' '), 'yes']),
  ...NO_PHRASES.map((p): [string[], Kind] => [p.split(' '), 'no']),
  ...POLITE_PHRASES.map((p): [string[], Kind] => [p.split(' '), 'polite']),
  // Longest first, so `non autorizzo` wins over a lone `autorizzo`.
].sort((a, b) => b[0].length - a[0].length);

/**
 * Lower case, accents and emoji skin tones removed, punctuation turned into spaces, `👍👍` split
 * into words. Exported for the tests and the README's examples.
 */
export function normaliseAnswer(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .replace(/[\u{1F3FB}-\u{1F3FF}\uFE0F\u200D]/gu, '')
    .toLowerCase()
    .replace(/'/g, ' ')
    .replace(/(👍|👎)/gu, ' $1 ')
    .replace(/[^\p{L}\p{N}👍👎]+/gu, ' ')
    .trim();
}

/**
 * What a reply to a consent request means: `yes` grants, `no` refuses (or revokes), `unclear` is
 * not consent (ask for a plain yes or no). Source of the rule: terms T4 and T5; see the module
 * comment. Never throws.
 */
export function interpretConsentAnswer(text: string): ConsentAnswer {
  // A question ("sì?") asks something back: not an answer.
  if (/[?？¿]/.test(text)) return 'unclear';
  const words = normaliseAnswer(text).split(' ').filter(Boolean);
  if (words.length === 0 || words.length > 12) return 'unclear';
  const seen = new Set<Kind>();
  for (let i = 0; i < words.length; ) {
    const match = PHRASES.find(([phrase]) => phrase.every((word, k) => words[i + k] === word));
    if (!match) return 'unclear';
    seen.add(match[1]);
    i += match[0].length;
  }
  if (seen.has('yes') && seen.has('no')) return 'unclear';
  if (seen.has('yes')) return 'yes';
  if (seen.has('no')) return 'no';
  return 'unclear';
}

/**
 * Drops a last line that is only the sender's name ("Sì\n\nMario" from Mario Rossi): a sign-off
 * the channel's signature detection left. Any other extra line stays (and makes the reply unclear).
 */
export function withoutNameSignOff(text: string, displayName: string | undefined): string {
  const names = new Set(
    normaliseAnswer(displayName ?? '')
      .split(' ')
      .filter((w) => w.length > 1),
  );
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (names.size === 0 || lines.length < 2) return text;
  const last = normaliseAnswer(lines.at(-1)!).split(' ').filter(Boolean);
  if (last.length === 0 || last.length > 3 || !last.every((word) => names.has(word))) return text;
  return lines.slice(0, -1).join('\n');
}

/** Button data of a consent request and of a running session (at most 64 bytes, Telegram's limit). */
export const CONSENT_BUTTONS = {
  yes: (requestId: string) => `consent:${requestId}:yes`,
  no: (requestId: string) => `consent:${requestId}:no`,
  stop: (requestId: string) => `consent:${requestId}:stop`,
};

/** Parses a consent button's data; undefined for any other button. */
export function parseConsentButton(
  data: string,
): { requestId: string; answer: 'yes' | 'no' | 'stop' } | undefined {
  const match = /^consent:(\d{1,19}):(yes|no|stop)$/.exec(data);
  return match ? { requestId: match[1]!, answer: match[2] as 'yes' | 'no' | 'stop' } : undefined;
}
