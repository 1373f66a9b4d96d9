import { describe, expect, it } from 'vitest';
import {
  formatExternalId,
  renderOutbound,
  splitText,
  tryParseExternalId,
} from '../../../src/channels/telegram/format-message.js';
import type { OutboundMessage } from '../../../src/core/channel.js';
import { DeliveryError } from '../../../src/core/errors.js';
import { escapeChatMarkup } from '../../../src/templates/format.js';

function paragraph(n: number, length: number): string {
  const words: string[] = [];
  let total = 0;
  for (let i = 0; total < length; i++) {
    const word = `p${n}w${i}`;
    words.push(word);
    total += word.length + 1;
  }
  const text = words.join(' ').slice(0, length);
  return text.endsWith(' ') ? `${text.slice(0, -1)}x` : text;
}

function outbound(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    deliveryId: 'd1',
    channel: 'telegram',
    recipient: { kind: 'telegram', address: '42' },
    automatic: false,
    text: 'Hello',
    threading: {},
    ...overrides,
  };
}

const isHigh = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLow = (code: number) => code >= 0xdc00 && code <= 0xdfff;

describe('escapeChatMarkup', () => {
  it('escapes &, < and > only', () => {
    expect(escapeChatMarkup('<b>&"\'😀')).toBe('&lt;b&gt;&amp;"\'😀');
  });

  it('leaves already-escaped looking text to be escaped again (it is plain text)', () => {
    expect(escapeChatMarkup('&amp;')).toBe('&amp;amp;');
  });
});

describe('splitText', () => {
  it('returns one chunk for a short text and none for a blank one', () => {
    expect(splitText('hello')).toEqual(['hello']);
    expect(splitText('')).toEqual([]);
    expect(splitText(' \n\n \n')).toEqual([]);
  });

  it('splits 10,000 characters at paragraph boundaries into chunks of at most 4096', () => {
    const paragraphs = Array.from({ length: 10 }, (_, i) => paragraph(i, 1000));
    const text = paragraphs.join('\n\n');
    expect(text.length).toBeGreaterThanOrEqual(10_000);
    const chunks = splitText(text);
    expect(chunks.length).toBe(3);
    for (const chunk of chunks) {
      expect(escapeChatMarkup(chunk).length).toBeLessThanOrEqual(4096);
      // Every chunk is made of whole paragraphs.
      for (const part of chunk.split('\n\n')) expect(paragraphs).toContain(part);
    }
    expect(chunks.join('\n\n')).toBe(text);
  });

  it('falls back to line breaks, then spaces', () => {
    const lines = Array.from({ length: 30 }, (_, i) => paragraph(i, 199)).join('\n');
    const byLine = splitText(lines, 1000);
    for (const chunk of byLine) {
      expect(chunk.length).toBeLessThanOrEqual(1000);
      expect(chunk.split('\n').every((line) => line.length === 199)).toBe(true);
    }
    expect(byLine.join('\n')).toBe(lines);

    const words = paragraph(1, 5000);
    const bySpace = splitText(words, 1000);
    for (const chunk of bySpace) {
      expect(chunk.length).toBeLessThanOrEqual(1000);
      expect(chunk.startsWith(' ') || chunk.endsWith(' ')).toBe(false);
    }
    expect(bySpace.join(' ')).toBe(words);
  });

  it('keeps escaped chunks within the limit when escaping grows the text', () => {
    const text = '<'.repeat(3000) + '&'.repeat(3000);
    expect(escapeChatMarkup(text).length).toBeGreaterThan(4096 * 6);
    const chunks = splitText(text);
    for (const chunk of chunks) {
      expect(chunk.length).toBeGreaterThan(0);
      expect(escapeChatMarkup(chunk).length).toBeLessThanOrEqual(4096);
    }
    expect(chunks.join('')).toBe(text);
  });

  it('splits a single 5000-character word', () => {
    const word = 'x'.repeat(5000);
    const chunks = splitText(word);
    expect(chunks.map((c) => c.length)).toEqual([4096, 904]);
    expect(chunks.join('')).toBe(word);
  });

  it('never cuts an emoji (surrogate pair or ZWJ sequence) in half', () => {
    const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}';
    for (const text of [`a${'😀'.repeat(3000)}`, '😀'.repeat(3000), family.repeat(800)]) {
      const chunks = splitText(text, 4095);
      expect(chunks.join('')).toBe(text);
      for (const chunk of chunks) {
        expect(chunk.length).toBeLessThanOrEqual(4095);
        expect(isLow(chunk.charCodeAt(0))).toBe(false);
        expect(isHigh(chunk.charCodeAt(chunk.length - 1))).toBe(false);
      }
      if (text.startsWith(family)) {
        for (const chunk of chunks) expect(chunk.length % family.length).toBe(0);
      }
    }
  });

  it('keeps flags (regional indicator pairs) whole', () => {
    const flags = '\u{1F1EE}\u{1F1F9}'.repeat(1500);
    const chunks = splitText(flags, 4095);
    expect(chunks.join('')).toBe(flags);
    for (const chunk of chunks) expect(chunk.length % 4).toBe(0);
  });

  it('honours a smaller first limit and never returns empty chunks', () => {
    const text = `${paragraph(1, 50)}\n\n\n\n${paragraph(2, 50)}`;
    const chunks = splitText(text, 60, { firstLimit: 55 });
    expect(chunks).toEqual([paragraph(1, 50), paragraph(2, 50)]);
    expect(() => splitText('abc', 2)).toThrow(RangeError);
  });

  it('splits a very long text quickly', () => {
    const started = performance.now();
    const word = 'y'.repeat(400_000);
    expect(splitText(word)).toHaveLength(Math.ceil(400_000 / 4096));
    const prose = Array.from({ length: 4000 }, (_, i) => paragraph(i, 100)).join('\n\n');
    const chunks = splitText(prose);
    expect(chunks.join('\n\n')).toBe(prose);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('normalises CRLF line endings', () => {
    expect(splitText('aaaa\r\nbbbb\r\n\r\ncccc', 10)).toEqual(['aaaa\nbbbb', 'cccc']);
  });
});

describe('renderOutbound', () => {
  it('escapes the text and adds the ticket number as a bold line', () => {
    const parts = renderOutbound(
      outbound({ text: 'Use <Ctrl> & "Alt"', ticket: { number: 1042, subject: 'x' } }),
    );
    expect(parts).toEqual([
      { text: '<b>Ticket #1042</b>\nUse &lt;Ctrl&gt; &amp; "Alt"', parse_mode: 'HTML' },
    ]);
  });

  it('does not repeat the ticket number when the text mentions it', () => {
    const [part] = renderOutbound(
      outbound({ text: 'Ticket #1042 is open', ticket: { number: 1042, subject: 'x' } }),
    );
    expect(part?.text).toBe('Ticket #1042 is open');
    const [other] = renderOutbound(outbound({ text: 'See #10420', ticket: { number: 1042, subject: 'x' } }));
    expect(other?.text.startsWith('<b>Ticket #1042</b>\n')).toBe(true);
  });

  it('puts buttons only on the last chunk and the reply only on the first', () => {
    const text = Array.from({ length: 10 }, (_, i) => paragraph(i, 1000)).join('\n\n');
    const parts = renderOutbound(
      outbound({
        text,
        ticket: { number: 7, subject: 's' },
        buttons: [[{ label: 'Yes', data: 'consent:7:yes' }], [{ label: 'No', data: 'consent:7:no' }]],
        threading: { inReplyTo: '42:17' },
      }),
    );
    expect(parts.length).toBe(3);
    for (const part of parts) expect(part.text.length).toBeLessThanOrEqual(4096);
    expect(parts[0]?.reply_parameters).toEqual({ message_id: 17, allow_sending_without_reply: true });
    expect(parts.slice(1).every((p) => p.reply_parameters === undefined)).toBe(true);
    expect(parts.slice(0, -1).every((p) => p.reply_markup === undefined)).toBe(true);
    expect(parts[2]?.reply_markup).toEqual({
      inline_keyboard: [
        [{ text: 'Yes', callback_data: 'consent:7:yes' }],
        [{ text: 'No', callback_data: 'consent:7:no' }],
      ],
    });
  });

  it('ignores a reply target in another chat or not a Telegram id', () => {
    expect(
      renderOutbound(outbound({ threading: { inReplyTo: '99:17' } }))[0]?.reply_parameters,
    ).toBeUndefined();
    expect(
      renderOutbound(outbound({ threading: { inReplyTo: '<a@b>' } }))[0]?.reply_parameters,
    ).toBeUndefined();
    const inGroup = renderOutbound(
      outbound({ threading: { inReplyTo: '-100123:5', conversationId: '-100123' } }),
    )[0];
    expect(inGroup?.reply_parameters?.message_id).toBe(5);
  });

  it('rejects callback data over 64 bytes with a permanent delivery error', () => {
    const message = outbound({ buttons: [[{ label: 'Too long', data: 'é'.repeat(33) }]] });
    expect(() => renderOutbound(message)).toThrow(DeliveryError);
    expect(() => renderOutbound(message)).toThrow(/66 bytes/);
    expect(() =>
      renderOutbound(outbound({ buttons: [[{ label: 'ok', data: 'x'.repeat(64) }]] })),
    ).not.toThrow();
  });

  it('refuses a message with nothing to say', () => {
    expect(() => renderOutbound(outbound({ text: '  ' }))).toThrow(DeliveryError);
    expect(renderOutbound(outbound({ text: '', ticket: { number: 3, subject: 's' } }))[0]?.text).toBe(
      '<b>Ticket #3</b>',
    );
  });
});

describe('external ids', () => {
  it('parses and formats chatId:messageId', () => {
    expect(tryParseExternalId('123:45')).toEqual({ chatId: '123', messageId: 45 });
    expect(tryParseExternalId('-1001234567890:7')).toEqual({ chatId: '-1001234567890', messageId: 7 });
    expect(formatExternalId(-42, 3)).toBe('-42:3');
    expect(formatExternalId('42', 3)).toBe('42:3');
    expect(tryParseExternalId('123:45:edit:9')).toBeUndefined();
    expect(tryParseExternalId('abc')).toBeUndefined();
  });
});
