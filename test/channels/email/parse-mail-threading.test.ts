import { describe, expect, it } from 'vitest';
import { parseMail, subjectTicketNumber } from '../../../src/channels/email/parse-mail.js';
import { createReplyToken } from '../../../src/core/reply-token.js';
import { PARSE_NOW, PARSE_OPTIONS, parseHandWritten, readFixture } from './mail-fixtures.js';

describe('parseMail threading', () => {
  const token = createReplyToken('test-secret', 1042);
  const otherToken = createReplyToken('test-secret', 7);

  it('finds reply tokens in In-Reply-To, References, To, Cc, Delivered-To and X-Original-To, once each', async () => {
    const message = await parseHandWritten([
      'From: mario@example.it',
      `To: assistenza+${token}@negozio.it`,
      `Cc: Assistenza <assistenza+${token.toUpperCase()}@negozio.it>`,
      `In-Reply-To: <${token}.r1@negozio.it>`,
      `References: <first@example.it>\r\n <${otherToken}.r0@negozio.it>`,
      `Delivered-To: assistenza+${token}@negozio.it`,
      `X-Original-To: assistenza+${token}@negozio.it`,
      'Subject: Re: [#1042] Stampante',
    ]);
    expect(message.thread.replyTokens).toEqual([token, otherToken]);
  });

  it.each(['To', 'Cc', 'Delivered-To', 'X-Original-To', 'In-Reply-To', 'References'])(
    'a token only in %s is found',
    async (header) => {
      const value =
        header.endsWith('To') && header !== 'In-Reply-To'
          ? `a+${token}@negozio.it`
          : `<${token}.x@negozio.it>`;
      const message = await parseHandWritten(['From: mario@example.it', `${header}: ${value}`]);
      expect(message.thread.replyTokens).toEqual([token]);
    },
  );

  it('ignores tokens in other headers', async () => {
    const message = await parseHandWritten([
      'From: mario@example.it',
      `Subject: ${token}`,
      `X-Whatever: ${token}`,
    ]);
    expect(message.thread.replyTokens).toBeUndefined();
  });

  it('inReplyTo lists In-Reply-To first, then References newest first, deduplicated', async () => {
    const message = await parseHandWritten([
      'From: mario@example.it',
      'In-Reply-To: <c@x.it>',
      'References: <a@x.it> <b@x.it>\r\n\t<c@x.it>',
    ]);
    expect(message.thread.inReplyTo).toEqual(['<c@x.it>', '<b@x.it>', '<a@x.it>']);
  });

  it('ticketNumber comes from the subject tag', async () => {
    expect(
      (await parseHandWritten(['From: m@x.it', 'Subject: Re: [#1042] Stampante'])).thread.ticketNumber,
    ).toBe(1042);
    expect(
      (await parseHandWritten(['From: m@x.it', 'Subject: Stampante'])).thread.ticketNumber,
    ).toBeUndefined();
  });

  it.each([
    ['Re: [#1042] Stampante', 1042],
    ['[# 1042] Stampante', 1042],
    ['R: Stampante (#1042)', 1042],
    ['[Ticket #1042] Stampante', 1042],
    ['[ticket#1042]', 1042],
    ['Re: [#1042] I: [#17] vecchio', 1042],
    ['Ordine #1042', undefined],
    ['[1042]', undefined],
    ['[#0]', undefined],
    ['', undefined],
  ])('subjectTicketNumber(%j) → %s', (subject, expected) => {
    expect(subjectTicketNumber(subject)).toBe(expected);
  });
});

describe('parseMail receivedAt', () => {
  const withDate = (date: string | undefined) =>
    parseHandWritten(['From: m@x.it', ...(date === undefined ? [] : [`Date: ${date}`])]).then(
      (m) => m.receivedAt,
    );

  it('uses a valid Date header', async () => {
    expect((await withDate('Mon, 10 Mar 2025 09:30:00 +0100')).toISOString()).toBe(
      '2025-03-10T08:30:00.000Z',
    );
    expect((await withDate('Mon, 2 Apr 2012 09:57:58 -0400 (EDT)')).toISOString()).toBe(
      '2012-04-02T13:57:58.000Z',
    );
  });

  it('accepts a date a few hours ahead (clock skew)', async () => {
    expect((await withDate('Mon, 10 Mar 2025 20:00:00 +0000')).toISOString()).toBe(
      '2025-03-10T20:00:00.000Z',
    );
  });

  it('uses now for a date more than a day in the future', async () => {
    expect(await withDate('Wed, 12 Mar 2025 10:00:00 +0000')).toEqual(PARSE_NOW);
  });

  it('uses now for an invalid or missing date', async () => {
    expect(await withDate('not a date')).toEqual(PARSE_NOW);
    expect(await withDate(undefined)).toEqual(PARSE_NOW);
  });
});

describe('parseMail machine-generated mail', () => {
  it('a DSN is automated and names the bounced message', async () => {
    const message = await parseMail(readFixture('bounces', 'lhost-postfix-13.eml'), PARSE_OPTIONS);
    expect(message.automated?.kind).toBe('bounce');
    expect(message.bouncedExternalIds).toContain('<20150213024748.CEEDB20C16@2jo.example.jp>');
  });

  it('an abuse report is automated without bounced ids', async () => {
    const message = await parseMail(readFixture('bounces', 'arf-17.eml'), PARSE_OPTIONS);
    expect(message.automated?.kind).toBe('feedback_report');
    expect(message.bouncedExternalIds).toBeUndefined();
  });

  it('an out-of-office reply is automated', async () => {
    const message = await parseHandWritten([
      'From: m@x.it',
      'Subject: Risposta automatica: [#1042] Stampante',
      'Auto-Submitted: auto-replied',
    ]);
    expect(message.automated).toEqual({ kind: 'auto_reply', reason: 'Auto-Submitted: auto-replied' });
    expect(message.thread.ticketNumber).toBe(1042);
  });
});
