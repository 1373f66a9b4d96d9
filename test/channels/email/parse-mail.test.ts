import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { parseMail } from '../../../src/channels/email/parse-mail.js';
import {
  CUSTOMER_HEADERS,
  fixtureNames,
  multipart,
  PARSE_NOW,
  PARSE_OPTIONS,
  parseHandWritten,
  rawMail,
  readFixture,
} from './mail-fixtures.js';

const BIG_SAMPLES = new Set([
  'mailparser-large_text.eml',
  'mailparser-outofmemory.eml',
  'mailparser-htmllargecallstack.eml',
]);

describe('parseMail never throws on the samples', () => {
  const all = ['mime', 'replies', 'bounces'].flatMap((folder) =>
    fixtureNames(folder).map((name) => [folder, name] as const),
  );

  it.each(all)('%s/%s', { timeout: 120_000 }, async (folder, name) => {
    const raw = readFixture(folder, name);
    const message = await parseMail(raw, PARSE_OPTIONS);
    expect(message.channel).toBe('email');
    expect(message.externalId).toMatch(/^<[^<>\s]+>$/);
    expect(message.sender.kind).toBe('email');
    expect(message.sender.address).toBe(message.sender.address.toLowerCase());
    expect(typeof message.fullText).toBe('string');
    expect(typeof message.newText).toBe('string');
    if (message.fullText.trim() !== '') expect(message.newText.trim()).not.toBe('');
    expect(Number.isNaN(message.receivedAt.getTime())).toBe(false);
    expect(message.receivedAt.getTime()).toBeLessThanOrEqual(PARSE_NOW.getTime() + 24 * 60 * 60 * 1000);
    expect(message.raw.contentType).toBe('message/rfc822');
    expect(message.raw.data).toBe(raw);
    if (message.html !== undefined) {
      expect(message.html).not.toMatch(/<script|<style|\son\w+\s*=|javascript:/i);
    }
  });

  it.each([...BIG_SAMPLES])('mime/%s gives text', { timeout: 120_000 }, async (name) => {
    const message = await parseMail(readFixture('mime', name), PARSE_OPTIONS);
    expect(message.fullText.length).toBeGreaterThan(1000);
  });
});

describe('parseMail on broken input', () => {
  it.each([
    ['an empty buffer', Buffer.alloc(0)],
    ['a word', Buffer.from('garbage')],
    ['random bytes', randomBytes(4096)],
    [
      'an empty multipart',
      rawMail(['From: <>', 'Content-Type: multipart/mixed; boundary=x'], '--x\r\n--x--'),
    ],
    [
      'bad encoded words and dates',
      rawMail(['Subject: =?utf-8?B?@@@?=', 'Date: 99 Foo 2020', 'From: "a <a@b']),
    ],
  ])('%s still gives a message', async (_label, raw) => {
    const message = await parseMail(raw, PARSE_OPTIONS);
    expect(message.externalId).toMatch(/^<.+>$/);
    expect(message.receivedAt).toEqual(PARSE_NOW);
  });
});

describe('parseMail on real replies', () => {
  it.each(fixtureNames('replies'))('replies/%s: newText is "Hello"', async (name) => {
    const message = await parseMail(readFixture('replies', name), PARSE_OPTIONS);
    expect(message.newText).toBe('Hello');
    expect(message.fullText).toContain('Hello');
    expect(message.automated).toBeUndefined();
  });

  it('talon-gmail: sender, subject, ids, date, sanitised html', async () => {
    const message = await parseMail(readFixture('replies', 'talon-gmail.eml'), PARSE_OPTIONS);
    expect(message.externalId).toBe('<CAKsfaBW4hj0Gek6TwbR3erng4P1y0CZzJ0d=pXtCNnYnbe7PLg@mail.gmail.com>');
    expect(message.sender).toEqual({ kind: 'email', address: 'xxx@gmail.com', displayName: 'Megan One' });
    expect(message.subject).toBe('Re: Test');
    expect(message.receivedAt.toISOString()).toBe('2012-04-02T16:21:52.000Z');
    expect(message.html).toContain('<blockquote>');
    expect(message.html).not.toContain('style=');
    expect(message.thread).toEqual({});
  });

  it('talon-yahoo: In-Reply-To becomes a thread hint', async () => {
    const message = await parseMail(readFixture('replies', 'talon-yahoo.eml'), PARSE_OPTIONS);
    expect(message.thread.inReplyTo).toEqual(['<1333374262.7063.15.camel@mg5>']);
  });

  it.each(['talon-gmail.eml', 'talon-android.eml', 'talon-aol.eml'])(
    'an HTML-only copy of %s still gives "Hello"',
    async (name) => {
      const { html } = await simpleParser(readFixture('replies', name));
      expect(typeof html).toBe('string');
      const message = await parseHandWritten(
        [
          'From: a@example.it',
          'Subject: x',
          'Content-Type: text/html; charset=utf-8',
          'Content-Transfer-Encoding: base64',
        ],
        Buffer.from(html as string).toString('base64'),
      );
      expect(message.newText).toBe('Hello');
      expect(message.fullText).toContain('Hello');
      expect(message.html).toContain('Hello');
    },
  );
});

describe('parseMail fields', () => {
  it('sender is lower-cased with its display name; subject kept', async () => {
    const message = await parseHandWritten(CUSTOMER_HEADERS);
    expect(message.sender).toEqual({
      kind: 'email',
      address: 'mario.rossi@example.it',
      displayName: 'Mario Rossi',
    });
    expect(message.subject).toBe('La stampante non stampa');
    expect(message.newText).toBe('Buongiorno, la stampante non stampa.');
    expect(message.html).toBeUndefined();
    expect(message.automated).toBeUndefined();
    expect(message.bouncedExternalIds).toBeUndefined();
  });

  it('a sender without display name has none', async () => {
    const message = await parseHandWritten(['From: mario@example.it', 'Subject: x']);
    expect(message.sender).toEqual({ kind: 'email', address: 'mario@example.it' });
  });

  it('a mail without From keeps an empty address instead of failing', async () => {
    const message = await parseHandWritten(['Subject: x']);
    expect(message.sender).toEqual({ kind: 'email', address: '' });
  });

  it('externalId is the Message-ID trimmed, angle brackets kept', async () => {
    const message = await parseHandWritten(['From: a@example.it', 'Message-ID:    <abc.123@example.it>   ']);
    expect(message.externalId).toBe('<abc.123@example.it>');
  });

  it('a Message-ID without brackets gets them', async () => {
    expect((await parseHandWritten(['From: a@example.it', 'Message-ID: abc@example.it'])).externalId).toBe(
      '<abc@example.it>',
    );
  });

  it('a missing Message-ID becomes <content hash@missing-message-id>, the same for a copy with other transport headers', async () => {
    const raw = rawMail(['From: a@example.it', 'Subject: x']);
    const message = await parseMail(raw, PARSE_OPTIONS);
    expect(message.externalId).toBe(`<${message.contentHash}@missing-message-id>`);
    expect(message.contentHash).toMatch(/^[0-9a-f]{64}$/);
    const copy = rawMail(['Received: from mx.example; Tue, 1 Dec 2026', 'From: a@example.it', 'Subject: x']);
    expect((await parseMail(copy, PARSE_OPTIONS)).externalId).toBe(message.externalId);
    const other = rawMail(['From: a@example.it', 'Subject: x'], 'Un altro testo.');
    expect((await parseMail(other, PARSE_OPTIONS)).externalId).not.toBe(message.externalId);
  });

  it('no subject → subject undefined', async () => {
    expect((await parseHandWritten(['From: a@example.it'])).subject).toBeUndefined();
  });

  it('newText drops the quote, fullText keeps it', async () => {
    const body =
      'Sì, procedete.\n\nIl giorno lun 10 mar 2025 alle ore 09:00 Assistenza <assistenza@negozio.it> ha scritto:\n> Possiamo collegarci?';
    const message = await parseHandWritten(CUSTOMER_HEADERS, body);
    expect(message.newText).toBe('Sì, procedete.');
    expect(message.fullText).toBe(`${body}\n`);
  });

  it('HTML-only mail: fullText from the HTML, html sanitised', async () => {
    const html = [
      '<html><head><title>T</title><style>p{color:red}</style><script>alert(1)</script></head><body>',
      '<p onclick="steal()" style="color:red">Ciao <b>Mario</b> &amp; <i>Luigi</i> 😀</p>',
      '<p><a href="https://negozio.it/x">sito</a> <a href="javascript:alert(1)">js</a> <a href="mailto:a@negozio.it">scrivi</a></p>',
      '<img src="cid:logo@negozio.it" alt="logo"><img src="http://tracker.example.com/p.gif">',
      '<img src="data:image/png;base64,iVBORw0KGgo="><img src="data:text/html;base64,PHNjcmlwdD4=">',
      '<iframe src="https://evil.example.com"></iframe><form><input name="x"></form>',
      '</body></html>',
    ].join('\n');
    const message = await parseHandWritten(
      [
        'From: a@example.it',
        'Subject: x',
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
      ],
      html,
    );
    expect(message.fullText).toContain('Ciao Mario & Luigi 😀');
    expect(message.fullText).not.toContain('alert');
    expect(message.fullText).not.toContain('color:red');
    expect(message.newText).toContain('Ciao Mario & Luigi 😀');
    const clean = message.html!;
    expect(clean).toContain('<b>Mario</b>');
    expect(clean).toContain('&amp;');
    expect(clean).toContain('<a href="https://negozio.it/x">sito</a>');
    expect(clean).toContain('<a href="mailto:a@negozio.it">scrivi</a>');
    expect(clean).toContain('<img src="cid:logo@negozio.it" alt="logo" />');
    expect(clean).toContain('<img src="data:image/png;base64,iVBORw0KGgo=" />');
    expect(clean).not.toMatch(
      /script|style|onclick|javascript|tracker|data:text|iframe|<form|<input|<title/i,
    );
  });

  it('a text part wins over the HTML part for fullText', async () => {
    const message = await parseHandWritten(
      [...CUSTOMER_HEADERS, 'Content-Type: multipart/alternative; boundary="alt"'],
      multipart('alt', [
        ['Content-Type: text/plain; charset=utf-8', '', 'Testo semplice'],
        ['Content-Type: text/html; charset=utf-8', '', '<p>Testo <b>HTML</b></p>'],
      ]),
    );
    expect(message.fullText.trim()).toBe('Testo semplice');
    expect(message.html).toBe('<p>Testo <b>HTML</b></p>');
  });
});
