import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { extractNewText } from '../../../src/channels/email/quote-stripping.js';
import { fixtureNames, readFixture } from './mail-fixtures.js';

/** Joins lines with `\n`, the way a text part reads after parsing. */
function mail(...lines: string[]): string {
  return lines.join('\n');
}

describe('extractNewText on the talon replies (real clients)', () => {
  const names = fixtureNames('replies', '.eml');

  it('has the seven client samples', () => {
    expect(names).toHaveLength(7);
  });

  it.each(names)('%s gives exactly "Hello"', async (name) => {
    const parsed = await simpleParser(readFixture('replies', name));
    expect(extractNewText(parsed.text ?? '')).toBe('Hello');
  });
});

describe('extractNewText on the email_reply_parser bodies', () => {
  const text = (name: string): string => readFixture('replies', name).toString('utf8');

  it('erp-correct_sig: drops the "-- " signature', () => {
    expect(extractNewText(text('erp-correct_sig.txt'))).toBe('this is an email with a correct -- signature.');
  });

  it('erp-email_1_1: drops the mailing-list footer below the underscore line', () => {
    expect(extractNewText(text('erp-email_1_1.txt'))).toBe(
      mail(
        'Hi folks',
        '',
        'What is the best way to clear a Riak bucket of all key, values after',
        'running a test?',
        'I am currently using the Java HTTP API.',
        '',
        '-Abhishek Kona',
      ),
    );
  });

  it('erp-email_1_2: keeps the greeting above and the answer below the quote', () => {
    const result = extractNewText(text('erp-email_1_2.txt'));
    expect(result.startsWith('Hi,\n\nYou can list the keys for the bucket and call delete for each.')).toBe(
      true,
    );
    expect(result).toContain('        for(String key : bucketInfo.getKeys()) {');
    expect(result.endsWith('you’ll need to delete them all individually."')).toBe(true);
    expect(result).not.toContain('Abhishek Kona wrote');
    expect(result).not.toContain('>');
    expect(result).not.toContain('riak-users mailing list');
  });

  it('erp-email_1_3: top-posted answer with a nested quote below', () => {
    expect(extractNewText(text('erp-email_1_3.txt'))).toBe(
      'Oh thanks.\n\nHaving the function would be great.\n\n-Abhishek Kona',
    );
  });

  it('erp-email_1_4: attribution with the address glued to the name', () => {
    expect(extractNewText(text('erp-email_1_4.txt'))).toBe("Awesome! I haven't had another problem with it.");
  });

  it('erp-email_1_5: a message without quotes is kept whole', () => {
    const original = text('erp-email_1_5.txt');
    expect(extractNewText(original)).toBe(original.trim());
  });

  it('erp-email_1_6: attribution spread over three lines', () => {
    expect(extractNewText(text('erp-email_1_6.txt'))).toBe(
      'I get proper rendering as well.\n\nSent from a magnificent torch of pixels',
    );
  });

  it('erp-email_1_7: CRLF and "wrote:" glued to the address', () => {
    expect(extractNewText(text('erp-email_1_7.txt'))).toBe(':+1:');
  });

  it('erp-email_1_8: inline answers between quotes are kept, the "--" signature is not', () => {
    expect(extractNewText(text('erp-email_1_8.txt'))).toBe('I will reply under this one\n\nand under this.');
  });

  it('erp-email_bullets: keeps indentation and blank lines of the answer', () => {
    expect(extractNewText(text('erp-email_bullets.txt'))).toBe(
      mail(
        'test 2 this should list second',
        '',
        'and have spaces',
        '',
        'and retain this formatting',
        '',
        '',
        '   - how about bullets',
        '   - and another',
      ),
    );
  });
});
