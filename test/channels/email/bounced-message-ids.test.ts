import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { findBouncedMessageIds } from '../../../src/channels/email/automated-mail.js';
import { fixtureNames, rawMail, readFixture } from './mail-fixtures.js';

describe('findBouncedMessageIds', () => {
  async function idsOf(folder: string, name: string): Promise<string[]> {
    const raw = readFixture(folder, name);
    return findBouncedMessageIds(await simpleParser(raw), raw);
  }

  it.each([
    ['mime', 'mailparser-delivery-status.eml', '<xxxxx@email.amazonses.com>'],
    ['bounces', 'lhost-postfix-13.eml', '<20150213024748.CEEDB20C16@2jo.example.jp>'],
    ['bounces', 'lhost-opensmtpd-13.eml', '<74f4e39a1c26094a@df.example.jp>'],
    ['bounces', 'lhost-dragonfly-03.eml', '<6668144d.e06d1.1bdca37a@df.example.jp>'],
    ['bounces', 'lhost-exim-06.eml', '<00000000000000000000000000000000@mx.example.org>'],
    ['bounces', 'lhost-gmail-05.eml', '<106A231A-B504-44EF-9BF2-8A382AB84E80@gmail.com>'],
    ['bounces', 'rhost-franceptt-12.eml', '<xxxx@xxxx.net>'],
    ['bounces', 'arf-17.eml', '<EEEEEEEE-0000-0000-0000-EEEEEEEE2222@example.net>'],
  ])('%s/%s → %s', async (folder, name, id) => {
    expect(await idsOf(folder, name)).toContain(id);
  });

  it('skips quoted-printable debris and keeps well-formed ids only', async () => {
    expect(await idsOf('bounces', 'lhost-exchange2007-05.eml')).toEqual([
      '<1472759554.gm4daljtga4dmljrgy2donjsha@newsletter.supersurprises-au.com>',
    ]);
  });

  it('never returns the bounce’s own Message-ID', async () => {
    const raw = readFixture('bounces', 'lhost-exim-34.eml');
    const parsed = await simpleParser(raw);
    expect(findBouncedMessageIds(parsed, raw)).not.toContain(parsed.messageId);
  });

  it('gives every id in angle brackets, without duplicates', async () => {
    for (const name of fixtureNames('bounces')) {
      const ids = await idsOf('bounces', name);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(id).toMatch(/^<[^<>\s]+@[^<>\s]+>$/);
    }
  });

  it('reads a base64-encoded returned message through its parsed part', async () => {
    const returned = Buffer.from(
      'Message-ID: <hd1042xabcdefghijklmnop.r1@negozio.it>\r\nSubject: x\r\n\r\nbody\r\n',
    );
    const raw = rawMail(
      [
        'From: MAILER-DAEMON@mx.example.com',
        'Subject: Undelivered Mail Returned to Sender',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
      ],
      [
        '--b',
        'Content-Type: text/plain',
        '',
        'Could not deliver.',
        '--b',
        'Content-Type: message/rfc822',
        'Content-Transfer-Encoding: base64',
        '',
        returned.toString('base64'),
        '--b--',
      ].join('\r\n'),
    );
    expect(findBouncedMessageIds(await simpleParser(raw), raw)).toEqual([
      '<hd1042xabcdefghijklmnop.r1@negozio.it>',
    ]);
  });

  it('finds folded Message-ID lines in the raw body, from a string too', async () => {
    const raw = rawMail(
      [
        'From: MAILER-DAEMON@mx.example.com',
        'Message-ID: <bounce1@mx.example.com>',
        'Subject: failure notice',
      ],
      'Sorry.\n\n--- Below this line is a copy of the message.\n\nMessage-ID:\n <orig-1@negozio.it>\nSubject: x\n',
    ).toString('latin1');
    expect(findBouncedMessageIds(await simpleParser(raw), raw)).toEqual(['<orig-1@negozio.it>']);
  });

  it('gives an empty list when there is nothing to find', async () => {
    const raw = rawMail(['From: MAILER-DAEMON@mx.example.com', 'Subject: failure notice'], 'No copy here.');
    expect(findBouncedMessageIds(await simpleParser(raw), raw)).toEqual([]);
    expect(findBouncedMessageIds(await simpleParser(Buffer.from('')), Buffer.from(''))).toEqual([]);
  });
});
