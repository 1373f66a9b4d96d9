/** Paths and readers for the mail samples in `test/fixtures/mail` (see its README for credits). */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ParseMailOptions, parseMail } from '../../../src/channels/email/parse-mail.js';
import type { InboundMessage } from '../../../src/core/channel.js';

export const MAIL_FIXTURES = fileURLToPath(new URL('../../fixtures/mail/', import.meta.url));

/** File names in one sample folder (`mime`, `replies`, `bounces`) ending with `extension`. */
export function fixtureNames(folder: string, extension = '.eml'): string[] {
  return readdirSync(`${MAIL_FIXTURES}${folder}`)
    .filter((name) => name.endsWith(extension))
    .sort();
}

/** The raw bytes of one sample. */
export function readFixture(folder: string, name: string): Buffer {
  return readFileSync(`${MAIL_FIXTURES}${folder}/${name}`);
}

/** A raw message from header lines and a body, with CRLF line ends as on the wire. */
export function rawMail(headers: string[], body = 'Buongiorno, la stampante non stampa.'): Buffer {
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}\r\n`);
}

/** The clock every parse test runs at. */
export const PARSE_NOW = new Date('2025-03-10T10:00:00Z');
export const MB = 1024 * 1024;
/** The limits the product uses: 10 MB per file, 25 MB per mail. */
export const PARSE_OPTIONS: ParseMailOptions = {
  maxAttachmentBytes: 10 * MB,
  maxMailBytes: 25 * MB,
  now: PARSE_NOW,
};

/** Headers of an ordinary customer mail. */
export const CUSTOMER_HEADERS = [
  'From: "Mario Rossi" <Mario.Rossi@Example.IT>',
  'To: Assistenza <assistenza@negozio.it>',
  'Subject: La stampante non stampa',
  'Date: Mon, 10 Mar 2025 09:30:00 +0100',
  'Message-ID: <m1@example.it>',
  'MIME-Version: 1.0',
];

/** {@link parseMail} of a hand-written message, with {@link PARSE_OPTIONS} unless overridden. */
export function parseHandWritten(
  headers: string[],
  body?: string,
  options: Partial<ParseMailOptions> = {},
): Promise<InboundMessage> {
  return parseMail(rawMail(headers, body), { ...PARSE_OPTIONS, ...options });
}

/** A multipart body: each part is its header lines, a blank line and its content lines. */
export function multipart(boundary: string, parts: string[][]): string {
  return [...parts.flatMap((part) => [`--${boundary}`, ...part]), `--${boundary}--`].join('\r\n');
}
