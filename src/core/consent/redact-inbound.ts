/**
 * Applies {@link redactSecrets} to one inbound message on any channel, before the core stores,
 * logs, relays or queues anything of it (terms T8): the subject, the new and the full text, the
 * HTML and the kept raw input. Pure.
 */
import type { InboundMessage, RawInput } from '../channel.js';
import { REDACTED, redactSecrets } from './redaction.js';
import { findSecrets, needsSlices } from './redaction-slices.js';
import { removeSecretsInTurns } from './secret-removal.js';

export interface RedactedInbound {
  message: InboundMessage;
  /** How many secrets were removed (0: the message is returned as it was). */
  count: number;
}

const ENCODED_BODY = /content-transfer-encoding:\s*(base64|quoted-printable)/i;

/**
 * The raw input without the secrets. A mail whose body is encoded keeps its headers only. Up to
 * `MAX_RAW_INPUT_MB` of text: removed in passes with event-loop turns (secret-removal.ts).
 */
async function redactRaw(raw: RawInput, secrets: string[]): Promise<RawInput> {
  const text =
    typeof raw.data === 'string' ? raw.data : Buffer.from(raw.data).toString(isMail(raw) ? 'latin1' : 'utf8');
  if (isMail(raw)) {
    // Mail headers and 8-bit bodies hold the secret as written; an encoded body (base64,
    // quoted-printable) hides it from a search, so such a body is not kept at all.
    const split = text.search(/\r?\n\r?\n/);
    const headers = split < 0 ? text : text.slice(0, split);
    const body = split < 0 ? '' : text.slice(split);
    const utf8Secrets = secrets.map((s) => Buffer.from(s, 'utf8').toString('latin1'));
    const keptBody = ENCODED_BODY.test(text)
      ? `\r\n\r\n${REDACTED}: the body was not kept because it contained a secret; the redacted text is on the message.\r\n`
      : await removeSecretsInTurns(body, [...secrets, ...utf8Secrets]);
    const data = Buffer.from(
      withoutEncodedSecrets(await removeSecretsInTurns(headers, [...secrets, ...utf8Secrets]), secrets) +
        keptBody,
      'latin1',
    );
    return { ...raw, data, originalSize: raw.originalSize ?? Buffer.byteLength(text, 'latin1') };
  }
  if (typeof raw.data === 'string') return { ...raw, data: await removeSecretsInTurns(text, secrets) };
  // Bytes are replaced as bytes (latin1 maps each byte to one character and back), so whatever
  // is not a secret stays exactly as received.
  const bytes = Buffer.from(raw.data).toString('latin1');
  const utf8Secrets = secrets.map((s) => Buffer.from(s, 'utf8').toString('latin1'));
  return { ...raw, data: Buffer.from(await removeSecretsInTurns(bytes, utf8Secrets), 'latin1') };
}

/** Raw inputs that hold text a person wrote (mail, JSON of a chat update, plain text). */
function isText(raw: RawInput): boolean {
  return /^(text\/|message\/|application\/([a-z.+-]*\+)?json)/i.test(raw.contentType);
}

const ENCODED_WORD = /=\?[^?\s]+\?([BbQq])\?([^?\s]*)\?=/g;

/**
 * Headers whose RFC 2047 encoded words (an accented subject, `=?UTF-8?B?…?=`) hide a secret once
 * decoded: every encoded word is replaced, since a long subject splits a secret across several.
 */
function withoutEncodedSecrets(headers: string, secrets: readonly string[]): string {
  const decoded = [...headers.matchAll(ENCODED_WORD)]
    .map(([, encoding, data]) =>
      encoding!.toUpperCase() === 'B'
        ? Buffer.from(data!, 'base64').toString('utf8')
        : data!
            .replace(/_/g, ' ')
            .replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
    )
    .join('');
  return secrets.some((secret) => decoded.includes(secret))
    ? headers.replace(ENCODED_WORD, REDACTED)
    : headers;
}

function isMail(raw: RawInput): boolean {
  return /^message\/rfc822|^text\/rfc822-headers/i.test(raw.contentType);
}

/**
 * The message with every secret replaced by `[redacted]` (see redaction.ts for what counts). Long
 * text (a mail's 200,000 characters) is searched in slices with event-loop turns between them
 * (redaction-slices.ts); its secrets are then removed wherever they occur.
 */
export async function redactInbound(message: InboundMessage): Promise<RedactedInbound> {
  const fields = [message.subject ?? '', message.newText, message.fullText];
  const secrets = new Set<string>();
  let redacted: string[];
  if (needsSlices(fields)) {
    for (const field of fields) for (const secret of await findSecrets(field)) secrets.add(secret);
    redacted = fields;
  } else {
    redacted = fields.map((field) => {
      const result = redactSecrets(field);
      for (const secret of result.secrets) secrets.add(secret);
      return result.text;
    });
  }
  if (secrets.size === 0) return { message, count: 0 };
  const list = [...secrets];
  const remove = (text: string) => removeSecretsInTurns(text, list);
  return {
    count: list.length,
    message: {
      ...message,
      subject: message.subject === undefined ? undefined : await remove(redacted[0]!),
      newText: await remove(redacted[1]!),
      fullText: await remove(redacted[2]!),
      html: message.html === undefined ? undefined : await remove(message.html),
      raw: await redactRaw(message.raw, list),
    },
  };
}

/**
 * A raw input kept on its own (one that could not be parsed or ingested), without the secrets
 * found in its readable text. An encoded mail body (base64, quoted-printable) cannot be read
 * here and is kept as it is unless a secret was found elsewhere in the mail. Returns the count.
 */
export async function redactRawInput(raw: RawInput): Promise<{ raw: RawInput; count: number }> {
  // A binary input (a file, an octet stream) holds no typed text: nothing to find, nothing to mangle.
  if (!isText(raw)) return { raw, count: 0 };
  const text =
    typeof raw.data === 'string' ? raw.data : Buffer.from(raw.data).toString(isMail(raw) ? 'latin1' : 'utf8');
  // Up to MAX_RAW_INPUT_MB of text: searched in slices (redaction-slices.ts).
  const secrets = await findSecrets(text);
  if (secrets.length === 0) return { raw, count: 0 };
  return { raw: await redactRaw(raw, secrets), count: secrets.length };
}
