/**
 * Removal of found secrets from every copy of an input's text (the HTML, the raw source), as
 * `[redacted]`. One regex pass finds the copies of many secrets at once; a mail with 4,000
 * `password: …` lines, one pass per secret, held the main thread 2.9 s (docs/performance.md,
 * *Event-loop stalls*). Long text is worked in passes sized by its length, with an event-loop turn
 * between them ({@link removeSecretsInTurns}).
 */

const REDACTED = '[redacted]';

/** Characters × forms one pass may search (about 10 ms on an idle 2-core machine). */
const WORK_PER_PASS = 40_000_000;
/** Forms per pass for {@link removeSecrets} (short text: staff replies, chat messages). */
const FORMS_PER_PASS = 500;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A secret as written, JSON-escaped and HTML-escaped, longest first, no empty one. */
function formsOf(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(
      secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'),
    );
    forms.add(
      secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&#39;'),
    );
  }
  forms.delete('');
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * Replaces every copy of each secret in `text` (HTML, a raw source) — also JSON- and HTML-escaped
 * ones — by `[redacted]`. Every character inside any copy goes: overlapping copies become one
 * `[redacted]`. Synchronous: for short text; long text goes through {@link removeSecretsInTurns}.
 */
export function removeSecrets(text: string, secrets: readonly string[]): string {
  const forms = formsOf(secrets);
  let spans: number[] = [];
  for (let i = 0; i < forms.length; i += FORMS_PER_PASS) {
    spans = merged(spans, copiesOf(text, forms.slice(i, i + FORMS_PER_PASS)));
  }
  return replaceSpans(text, spans);
}

/**
 * {@link removeSecrets} for long text: passes of at most {@link WORK_PER_PASS} characters × forms,
 * an event-loop turn after each. The same result. Never throws.
 */
export async function removeSecretsInTurns(text: string, secrets: readonly string[]): Promise<string> {
  const forms = formsOf(secrets);
  const perPass = Math.max(1, Math.floor(WORK_PER_PASS / Math.max(1, text.length)));
  let spans: number[] = [];
  for (let i = 0; i < forms.length; i += perPass) {
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    spans = merged(spans, copiesOf(text, forms.slice(i, i + perPass)));
  }
  return replaceSpans(text, spans);
}

function replaceSpans(text: string, spans: readonly number[]): string {
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (let i = 0; i < spans.length; i += 2) {
    out += text.slice(at, spans[i]) + REDACTED;
    at = spans[i + 1]!;
  }
  return out + text.slice(at);
}

/** Spans (flat: start, end, start, end…) of the copies of `forms` (longest first), merged where they overlap. */
function copiesOf(text: string, forms: readonly string[]): number[] {
  const pattern = new RegExp(forms.map(escapeRegExp).join('|'), 'g');
  const spans: number[] = [];
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    addSpan(spans, match.index, match.index + match[0].length);
    // From the next character: a copy of another secret may start inside this one.
    pattern.lastIndex = match.index + 1;
  }
  return spans;
}

/** Appends [start, end) to spans sorted by start, merging it into the last when they overlap. */
function addSpan(spans: number[], start: number, end: number): void {
  const last = spans.length - 1;
  if (last > 0 && start < spans[last]!) spans[last] = Math.max(spans[last]!, end);
  else spans.push(start, end);
}

function merged(a: readonly number[], b: readonly number[]): number[] {
  if (a.length === 0) return [...b];
  if (b.length === 0) return [...a];
  const starts: Array<[number, number]> = [];
  for (const list of [a, b]) for (let i = 0; i < list.length; i += 2) starts.push([list[i]!, list[i + 1]!]);
  starts.sort((x, y) => x[0] - y[0]);
  const spans: number[] = [];
  for (const [start, end] of starts) addSpan(spans, start, end);
  return spans;
}
