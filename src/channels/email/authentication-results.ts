/**
 * The DMARC verdict of our mailbox provider, read from `Authentication-Results` (RFC 8601).
 *
 * Anyone can write an Authentication-Results header into a mail; only one added by the receiving
 * server we trust means anything. RFC 8601 §5: the receiving border removes headers that carry its
 * own authserv-id and prepends its own, so the topmost header with a trusted authserv-id is the
 * provider's and any below it are forged or stale. Only that one is read.
 */

/** `pass`: the From domain is authenticated; `fail`: it is not (forged or broken); `none`: no verdict. */
export type DmarcVerdict = 'pass' | 'fail' | 'none';

/** The unfolded values of every `Authentication-Results` header, topmost first. */
function authenticationResultsHeaders(raw: Buffer): string[] {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf >= 0 ? lf : raw.length;
  const header = raw.subarray(0, Math.min(end, 256 * 1024)).toString('latin1');
  return header
    .replace(/\r?\n[ \t]+/g, ' ')
    .split(/\r?\n/)
    .filter((line) => /^authentication-results\s*:/i.test(line))
    .map((line) => line.slice(line.indexOf(':') + 1));
}

/** RFC 5322 comments (nested parentheses), which RFC 8601 allows almost anywhere. */
function withoutComments(value: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && depth > 0) {
      i++;
    } else if (c === '(') {
      depth++;
    } else if (c === ')' && depth > 0) {
      depth--;
    } else if (depth === 0) {
      out += c;
    }
  }
  return out;
}

/** The authserv-id (lower case) and the DMARC result of one header value, if it has one. */
export function parseAuthenticationResults(value: string): { authservId: string; dmarc?: string } {
  const [id = '', ...results] = withoutComments(value).split(';');
  // `authserv-id [version]`; the id may be a quoted string.
  const authservId = (id.trim().split(/\s+/)[0] ?? '').replace(/^"|"$/g, '').toLowerCase();
  for (const result of results) {
    const match = /^\s*dmarc\s*=\s*([a-z]+)/i.exec(result);
    if (match) return { authservId, dmarc: match[1]!.toLowerCase() };
  }
  return { authservId };
}

/**
 * The DMARC verdict of the topmost `Authentication-Results` header whose authserv-id is one of
 * `trustedIds` (compared case-insensitively). `none` without such a header, without a DMARC
 * result in it, or for `none`, `temperror`, `permerror` and other results.
 */
export function dmarcVerdict(raw: Buffer, trustedIds: readonly string[]): DmarcVerdict {
  if (trustedIds.length === 0) return 'none';
  const trusted = new Set(trustedIds.map((id) => id.trim().toLowerCase()));
  for (const value of authenticationResultsHeaders(raw)) {
    const parsed = parseAuthenticationResults(value);
    if (!trusted.has(parsed.authservId)) continue;
    if (parsed.dmarc === 'pass') return 'pass';
    if (parsed.dmarc === 'fail') return 'fail';
    return 'none';
  }
  return 'none';
}
