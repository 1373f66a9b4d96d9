/**
 * Small helpers over raw mail headers, shared by the email channel's parsing and bounce handling.
 * mailparser merges and re-shapes some headers (`List-*`, addresses, dates), so the checks that
 * must see what the sender wrote read the raw header lines instead.
 */
import type { ParsedMail } from 'mailparser';

/** Unfolded values of a header, straight from the raw header lines (mailparser merges some of them). */
export function rawHeaderValues(parsed: Pick<ParsedMail, 'headerLines'>, name: string): string[] {
  const key = name.toLowerCase();
  const values: string[] = [];
  for (const line of parsed.headerLines ?? []) {
    if (line.key !== key) continue;
    const colon = line.line.indexOf(':');
    values.push(
      line.line
        .slice(colon + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim(),
    );
  }
  return values;
}

/** RFC 5322 `id-left "@" id-right`: dot-atom text, or a domain literal on the right. */
const MESSAGE_ID_BODY =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@(?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]*[A-Za-z0-9_-]|\[[^[\]\s]*\])$/;

/** `id@host` or `<id@host>` to `<id@host>`; undefined when it does not look like a Message-ID. */
export function normaliseMessageId(value: string): string | undefined {
  const bracketed = /<([^<>\s]+)>/.exec(value)?.[1];
  const bare = bracketed ?? value.trim().split(/\s+/)[0] ?? '';
  return MESSAGE_ID_BODY.test(bare) ? `<${bare}>` : undefined;
}

/** Every Message-ID in a header value such as `References` or `In-Reply-To`, in order, as `<id@host>`. */
export function messageIdsInHeaderValue(value: string): string[] {
  const bracketed = [...value.matchAll(/<([^<>]+)>/g)]
    .map((match) => normaliseMessageId(`<${match[1]!.replace(/\s+/g, '')}>`))
    .filter((id): id is string => id !== undefined);
  if (bracketed.length > 0) return bracketed;
  return value
    .split(/[\s,]+/)
    .map((part) => normaliseMessageId(part))
    .filter((id): id is string => id !== undefined);
}
