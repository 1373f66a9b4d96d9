import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mailContentHash } from '../../../src/channels/email/content-hash.js';
import { MAX_STORED_EXTERNAL_ID_BYTES, storableExternalId } from '../../../src/core/message-ids.js';

/** Copies of one mail hash the same whatever transport headers they carry; other mails do not. */
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : Date.now() % 2 ** 31;
const ORIGIN = [
  'From: Anna <anna@cliente.example>',
  'To: help@example.test',
  'Subject: Stampante',
  'Message-ID: <a@b>',
];
const transportHeader = fc
  .tuple(
    fc.constantFrom(
      'Received',
      'Delivered-To',
      'Return-Path',
      'Authentication-Results',
      'X-Spam-Score',
      'ARC-Seal',
    ),
    fc.string({ unit: 'grapheme-ascii', maxLength: 60 }).map((s) => s.replace(/[\r\n]/g, ' ')),
  )
  .map(([name, value]) => `${name}: ${value}`);
const body = fc
  .string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 200 })
  .map((s) => s.replace(/\r?\n/g, '\r\n'));
const mail = (headers: string[], text: string) => Buffer.from(`${headers.join('\r\n')}\r\n\r\n${text}\r\n`);

describe('mail content hash', () => {
  it('ignores transport headers, their order and folding', () => {
    console.info(`content-hash seed: ${seed} (FC_SEED=${seed} to replay)`);
    fc.assert(
      fc.property(
        fc.array(transportHeader, { maxLength: 6 }),
        fc.array(transportHeader, { maxLength: 6 }),
        body,
        (a, b, text) => {
          const one = mail([...a, ...ORIGIN], text);
          const other = mail([...b, ...ORIGIN.map((h) => h.replace(': ', ':\r\n  '))], text);
          expect(mailContentHash(one)).toBe(mailContentHash(other));
        },
      ),
      { seed, numRuns: 300 },
    );
  });

  it('tells apart mails that differ in body or in an origin header', () => {
    fc.assert(
      fc.property(body, body, (x, y) => {
        fc.pre(x.trimEnd() !== y.trimEnd());
        expect(mailContentHash(mail(ORIGIN, x))).not.toBe(mailContentHash(mail(ORIGIN, y)));
      }),
      { seed, numRuns: 300 },
    );
    const base = mail(ORIGIN, 'testo');
    for (const changed of [
      'From: mario@cliente.example',
      'Subject: Altro',
      'Date: Tue, 1 Dec 2026 10:00:00 +0100',
    ]) {
      expect(mailContentHash(mail([...ORIGIN, changed], 'testo'))).not.toBe(mailContentHash(base));
    }
  });

  it('hashes odd input without throwing: no header end, LF only, empty', () => {
    for (const raw of ['', '\r\n\r\n', 'From: a@b', 'From: a@b\n\nbody', ':::\r\n\r\n', '\u0000\u0000']) {
      expect(mailContentHash(Buffer.from(raw))).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(mailContentHash(Buffer.from('From: a@b\n\nbody\n'))).toBe(
      mailContentHash(Buffer.from('From: a@b\r\n\r\nbody\r\n\r\n')),
    );
  });
});

describe('storable external ids', () => {
  it('keeps ids that fit the index and hashes longer ones, by bytes not characters', () => {
    const fits = `<${'a'.repeat(MAX_STORED_EXTERNAL_ID_BYTES - 2)}>`;
    expect(storableExternalId(fits)).toBe(fits);
    const long = `<${'a'.repeat(MAX_STORED_EXTERNAL_ID_BYTES - 1)}>`;
    expect(storableExternalId(long)).toMatch(/^<[0-9a-f]{64}@hashed-id\.invalid>$/);
    const multibyte = `<${'è'.repeat(600)}@x>`; // 600 characters, 1200+ bytes
    expect(storableExternalId(multibyte)).toMatch(/@hashed-id\.invalid>$/);
    expect(storableExternalId(long)).toBe(storableExternalId(long));
    expect(storableExternalId(long)).not.toBe(storableExternalId(`${long}x`));
  });
});
