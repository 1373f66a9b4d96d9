/**
 * Seeded mutations of real mail samples for the fuzz test: headers, MIME boundaries, transfer
 * encodings and charsets, nesting, line ends and raw bytes. Generated with fast-check, so one seed
 * gives the same mails on every machine.
 */
import fc from 'fast-check';

/** One mutation step; `at` values are fractions (0–1) of the current length or line count. */
export type Mutation =
  | { op: 'drop_header_line'; at: number }
  | { op: 'duplicate_header_line'; at: number }
  | { op: 'insert_header'; at: number; name: string; value: string }
  | { op: 'fold_header'; at: number }
  | { op: 'break_boundary'; at: number; junk: string }
  | { op: 'drop_closing_boundary' }
  | { op: 'set_encoding'; value: string }
  | { op: 'set_charset'; value: string }
  | { op: 'corrupt_base64'; at: number; junk: string }
  | { op: 'wrap_in_multipart'; depth: number; asMessage: boolean }
  | { op: 'explode_parts'; parts: number }
  | { op: 'line_ends'; to: '\n' | '\r' | '\r\r\n' }
  | { op: 'flip_bytes'; at: number; bytes: number[] }
  | { op: 'truncate'; at: number }
  | { op: 'splice'; at: number; from: number; length: number };

const headerName = fc.constantFrom(
  'Content-Type',
  'Content-Transfer-Encoding',
  'Content-Disposition',
  'From',
  'To',
  'Cc',
  'Reply-To',
  'Subject',
  'Date',
  'In-Reply-To',
  'References',
  'Message-ID',
  'Auto-Submitted',
  'Return-Path',
  'X-Fuzz',
);

const headerValue = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.constantFrom(
    'multipart/mixed; boundary=',
    'multipart/alternative; boundary="x"',
    'text/html; charset=utf-7',
    'message/rfc822',
    '=?utf-8?B?w6jDqcOgw7I=?=',
    '=?iso-8859-1?Q?Perch=E9?= =?broken?X?zz?=',
    `=?utf-8?B?${'////'.repeat(20)}`,
    '<a@b> <c@d> <<<>>>',
    'undisclosed-recipients:;',
    '"Unterminated <x@y',
    'Mon, 32 Foo 99999 25:61:61 +9999',
    'auto-replied',
    '\u0000\u0001\u007f',
  ),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);

const fraction = fc.double({ min: 0, max: 1, noNaN: true });

export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fraction.map((at) => ({ op: 'drop_header_line' as const, at })),
  fraction.map((at) => ({ op: 'duplicate_header_line' as const, at })),
  fc.record({
    op: fc.constant('insert_header' as const),
    at: fraction,
    name: headerName,
    value: headerValue,
  }),
  fraction.map((at) => ({ op: 'fold_header' as const, at })),
  fc.record({ op: fc.constant('break_boundary' as const), at: fraction, junk: fc.string({ maxLength: 8 }) }),
  fc.constant({ op: 'drop_closing_boundary' as const }),
  fc.record({
    op: fc.constant('set_encoding' as const),
    value: fc.constantFrom('base64', 'quoted-printable', '7bit', '8bit', 'binary', 'x-uuencode', 'gzip', ''),
  }),
  fc.record({
    op: fc.constant('set_charset' as const),
    value: fc.constantFrom(
      'utf-8',
      'utf-7',
      'iso-2022-jp',
      'windows-1252',
      'x-unknown',
      'utf-16',
      'gb18030',
      '',
    ),
  }),
  fc.record({
    op: fc.constant('corrupt_base64' as const),
    at: fraction,
    junk: fc.constantFrom('=', '==', '!*', '\u0000', '-_'),
  }),
  fc.record({
    op: fc.constant('wrap_in_multipart' as const),
    depth: fc.integer({ min: 1, max: 40 }),
    asMessage: fc.boolean(),
  }),
  fc.record({ op: fc.constant('explode_parts' as const), parts: fc.integer({ min: 990, max: 1100 }) }),
  fc.record({
    op: fc.constant('line_ends' as const),
    to: fc.constantFrom('\n' as const, '\r' as const, '\r\r\n' as const),
  }),
  fc.record({
    op: fc.constant('flip_bytes' as const),
    at: fraction,
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }),
  }),
  fraction.map((at) => ({ op: 'truncate' as const, at })),
  fc.record({
    op: fc.constant('splice' as const),
    at: fraction,
    from: fraction,
    length: fc.integer({ min: 1, max: 4096 }),
  }),
);

/** A sample (by index) and the steps applied to it in order. */
export interface MailCase {
  sample: number;
  mutations: Mutation[];
}

export function mailCaseArbitrary(samples: number): fc.Arbitrary<MailCase> {
  return fc.record({
    sample: fc.integer({ min: 0, max: samples - 1 }),
    mutations: fc.array(mutationArbitrary, { minLength: 1, maxLength: 4 }),
  });
}

function headerEnd(text: string): number {
  const end = text.search(/\r?\n\r?\n/);
  return end < 0 ? text.length : end;
}

function pick<T>(items: T[], at: number): number {
  return Math.min(items.length - 1, Math.floor(at * items.length));
}

/** Applies one mutation to a mail held as a latin1 string (one char per byte). */
function apply(text: string, mutation: Mutation, other: string): string {
  switch (mutation.op) {
    case 'drop_header_line':
    case 'duplicate_header_line':
    case 'fold_header': {
      const end = headerEnd(text);
      const lines = text.slice(0, end).split('\n');
      const i = pick(lines, mutation.at);
      if (mutation.op === 'drop_header_line') lines.splice(i, 1);
      else if (mutation.op === 'duplicate_header_line') lines.splice(i, 0, lines[i]!);
      else lines[i] = lines[i]!.replace(/ /g, '\r\n\t');
      return lines.join('\n') + text.slice(end);
    }
    case 'insert_header': {
      const end = headerEnd(text);
      const lines = text.slice(0, end).split('\n');
      lines.splice(
        pick(lines, mutation.at),
        0,
        `${mutation.name}: ${mutation.value.replace(/[\r\n]/g, ' ')}\r`,
      );
      return lines.join('\n') + text.slice(end);
    }
    case 'break_boundary': {
      const boundaries = [...text.matchAll(/^--[^\r\n]+/gm)];
      if (boundaries.length === 0) return text;
      const hit = boundaries[pick(boundaries, mutation.at)]!;
      const index = hit.index + 2 + Math.floor(mutation.at * (hit[0].length - 2));
      return text.slice(0, index) + mutation.junk + text.slice(index);
    }
    case 'drop_closing_boundary':
      return text.replace(/^--[^\r\n]+--\s*$/m, '');
    case 'set_encoding':
      return text.replace(
        /content-transfer-encoding:[^\r\n]*/gi,
        `Content-Transfer-Encoding: ${mutation.value}`,
      );
    case 'set_charset':
      return text.replace(/charset="?[^";\r\n]*"?/gi, `charset=${mutation.value}`);
    case 'corrupt_base64': {
      const lines = text.split('\n');
      const candidates = lines
        .map((line, i) => (/^[A-Za-z0-9+/]{40,}=*\r?$/.test(line) ? i : -1))
        .filter((i) => i >= 0);
      if (candidates.length === 0) return text;
      const i = candidates[pick(candidates, mutation.at)]!;
      lines[i] = lines[i]!.slice(0, 10) + mutation.junk + lines[i]!.slice(10);
      return lines.join('\n');
    }
    case 'wrap_in_multipart': {
      let body = text;
      for (let level = 0; level < mutation.depth; level++) {
        const inner = mutation.asMessage && level % 2 === 0 ? 'message/rfc822' : null;
        body = inner
          ? `Content-Type: multipart/mixed; boundary="w${level}"\r\n\r\n--w${level}\r\nContent-Type: ${inner}\r\n\r\n${body}\r\n--w${level}--\r\n`
          : `Content-Type: multipart/mixed; boundary="w${level}"\r\n\r\n--w${level}\r\n${body}\r\n--w${level}--\r\n`;
      }
      return `From: wrapper@example.org\r\nSubject: wrapped\r\nMIME-Version: 1.0\r\n${body}`;
    }
    case 'explode_parts': {
      // Around mailparser's limit of 1,000 parts per mail: over it the mail cannot be parsed.
      const parts = Array.from(
        { length: mutation.parts },
        (_, i) => `--e\r\nContent-Type: text/plain\r\n\r\n${i}`,
      );
      const end = headerEnd(text);
      return `${text.slice(0, end)}\r\nContent-Type: multipart/mixed; boundary="e"\r\n\r\n${parts.join('\r\n')}\r\n--e--\r\n${text.slice(end)}`;
    }
    case 'line_ends':
      return text.replace(/\r?\n/g, mutation.to);
    case 'flip_bytes': {
      const chars = text.split('');
      const start = Math.floor(mutation.at * chars.length);
      mutation.bytes.forEach((byte, k) => {
        if (start + k < chars.length) chars[start + k] = String.fromCharCode(byte);
      });
      return chars.join('');
    }
    case 'truncate':
      return text.slice(0, Math.floor(mutation.at * text.length));
    case 'splice': {
      const at = Math.floor(mutation.at * text.length);
      const from = Math.floor(mutation.from * other.length);
      return text.slice(0, at) + other.slice(from, from + mutation.length) + text.slice(at);
    }
  }
}

/**
 * The mutated mail of `mailCase`, with a unique `Message-ID` line put first (so every case is a
 * distinct mail, whatever the mutations did to the sample's own id).
 */
export function mutateMail(samples: Buffer[], mailCase: MailCase, id: string): Buffer {
  let text = samples[mailCase.sample]!.toString('latin1');
  const other = samples[(mailCase.sample + 1) % samples.length]!.toString('latin1');
  for (const mutation of mailCase.mutations) text = apply(text, mutation, other);
  return Buffer.concat([Buffer.from(`Message-ID: <${id}>\r\n`), Buffer.from(text, 'latin1')]);
}
