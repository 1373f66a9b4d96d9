/**
 * Redaction of long text without stalling the event loop (issue 17 item 1). The redaction regexes
 * cost about 0.1 ms per KB on the main thread: a 200,000-character mail text took 20–60 ms per
 * field, a failed mail's raw source (up to `MAX_RAW_INPUT_MB`) 50 ms per MB and more. Text longer
 * than {@link SLICE_CHARS} is searched a slice at a time, with an event-loop turn between slices.
 * Why and figures: docs/performance.md (*Event-loop stalls*).
 */
import { redactSecrets } from './redaction.js';

/** Text up to this many characters is searched at once (about 3 ms on an idle 2-core machine). */
export const SLICE_CHARS = 32 * 1024;
/**
 * Each slice is searched together with this much of the text after it, so a secret whose phrase
 * starts before the cut is found whole (a phrase and its secret span a few lines at most; a
 * secret longer than this that crosses a cut is found cut, and its start removed).
 */
const OVERLAP_CHARS = 2048;
/** How far a cut looks for a line end, then for a space, before cutting inside a word. */
const CUT_SEARCH_CHARS = 4096;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A position at or after `from` just past a line end, else past a space, else `from`. */
function cutAt(text: string, from: number): number {
  if (from >= text.length) return text.length;
  const limit = Math.min(text.length, from + CUT_SEARCH_CHARS);
  const line = text.indexOf('\n', from);
  if (line >= 0 && line < limit) return line + 1;
  for (let i = from; i < limit; i++) if (/\s/.test(text[i]!)) return i + 1;
  return from;
}

/**
 * The secrets {@link redactSecrets} finds in `text` (each once), searched slice by slice for long
 * text with an event-loop turn between slices; short text is searched at once, with no turn.
 * Never throws.
 */
export async function findSecrets(text: string): Promise<string[]> {
  if (text.length <= SLICE_CHARS) return redactSecrets(text).secrets;
  const found = new Set<string>();
  for (let start = 0; start < text.length; ) {
    const end = Math.max(start + 1, cutAt(text, start + SLICE_CHARS));
    const windowEnd = cutAt(text, end + OVERLAP_CHARS);
    for (const secret of redactSecrets(text.slice(start, windowEnd)).secrets) found.add(secret);
    start = end;
    if (start < text.length) await nextTurn();
  }
  return [...found];
}

/** Whether any of `texts` is long enough to be searched in slices. */
export function needsSlices(texts: readonly string[]): boolean {
  return texts.some((text) => text.length > SLICE_CHARS);
}
