import { describe, expect, it } from 'vitest';
import { MAX_STORED_TEXT_CHARS, MAX_THREAD_IDS, parseMail } from '../../../src/channels/email/parse-mail.js';
import { CUSTOMER_HEADERS, PARSE_OPTIONS, rawMail } from './mail-fixtures.js';

/** What is stored of a huge mail is bounded; the raw mail keeps the rest (issue 17). */
describe('parseMail caps what it stores', () => {
  it('cuts a text of a million characters with a note, in Italian first, and keeps the raw mail whole', async () => {
    const text = 'riga di testo\n'.repeat(80_000);
    const raw = rawMail([...CUSTOMER_HEADERS, 'Content-Type: text/plain; charset=utf-8'], text);
    const message = await parseMail(raw, PARSE_OPTIONS);
    expect(message.fullText.length).toBeLessThan(MAX_STORED_TEXT_CHARS + 300);
    expect(message.fullText.startsWith('riga di testo\nriga di testo\n')).toBe(true);
    expect(message.fullText).toMatch(/testo troncato: \d+ caratteri in tutto.*\/ text cut/);
    expect(message.raw.data).toBe(raw);
  });

  it('leaves out sanitised HTML over the cap and keeps the text taken from it', async () => {
    const html = `<p>${'<b>grassetto</b> '.repeat(20_000)}</p>`;
    const raw = rawMail([...CUSTOMER_HEADERS, 'Content-Type: text/html; charset=utf-8'], html);
    const message = await parseMail(raw, PARSE_OPTIONS);
    expect(message.html).toBeUndefined();
    expect(message.fullText).toContain('grassetto grassetto');
  });

  it('keeps the most recent replied-to Message-IDs of a References header with thousands', async () => {
    const references = Array.from({ length: 5_000 }, (_, i) => `<r${i}@e.org>`).join('\r\n ');
    const raw = rawMail([
      ...CUSTOMER_HEADERS,
      `In-Reply-To: <last@example.org>`,
      `References: ${references}`,
    ]);
    const message = await parseMail(raw, PARSE_OPTIONS);
    expect(message.thread.inReplyTo).toHaveLength(MAX_THREAD_IDS);
    expect(message.thread.inReplyTo!.slice(0, 3)).toEqual([
      '<last@example.org>',
      '<r4999@e.org>',
      '<r4998@e.org>',
    ]);
  });
});
