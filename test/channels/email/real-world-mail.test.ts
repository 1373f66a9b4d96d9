import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { detectAutomatedMail } from '../../../src/channels/email/automated-mail.js';
import { type ParseMailOptions, parseMail } from '../../../src/channels/email/parse-mail.js';
import { fixtureNames, PARSE_OPTIONS, rawMail, readFixture } from './mail-fixtures.js';

/** Issue 18: kinds of real-world mail, each with its outcome (samples in fixtures/mail/real-world). */
const OWN = { address: 'assistenza@negozio.example' };
const OPTIONS = { ...PARSE_OPTIONS, own: OWN };

function parse(name: string, options: ParseMailOptions = OPTIONS) {
  return parseMail(readFixture('real-world', name), options);
}

describe('automatic mail stays silent, whatever software sent it', () => {
  const expectations: Record<string, string | undefined> = {
    'list-mailman-notice.eml': 'list',
    'list-fml-notice.eml': 'list',
    'list-majordomo-owner.eml': 'list',
    'list-sympa-request.eml': 'list',
    'list-google-groups-digest.eml': 'list',
    'bounce-noreply-polish-rfc822.eml': 'bounce',
    'bounce-headers-only-unknown-language.eml': 'bounce',
    'customer-forwards-our-mail-as-attachment.eml': undefined,
    'form-mailer-wordpress.eml': undefined,
    'own-google-group.eml': undefined,
    'nas-alert.eml': 'alert',
    'vacation-from-customer-address.eml': 'auto_reply',
    'outlook-calendar-invite.eml': undefined,
    'hotmail-hr-reply.eml': undefined,
  };

  it('knows every sample', () => {
    expect(fixtureNames('real-world').sort()).toEqual(Object.keys(expectations).sort());
  });

  it.each(Object.entries(expectations))('%s → %s', async (name, kind) => {
    expect((await parse(name)).automated?.kind).toBe(kind);
  });

  it('a returned message of ours in a bounce of any language names our mail and whom it was for', async () => {
    const polish = await parse('bounce-noreply-polish-rfc822.eml');
    expect(polish.bouncedExternalIds).toEqual(['<hd12xabcdefghijklmnop.mfx1.r1@negozio.example>']);
    expect(polish.bounceEvidence?.recipientDomains).toContain('firma-pl.example');
    expect(polish.bounceEvidence?.replyTokens).toContain('hd12xabcdefghijklmnop');
    const headersOnly = await parse('bounce-headers-only-unknown-language.eml');
    expect(headersOnly.bouncedExternalIds).toEqual(['<x7k2.r9@negozio.example>']);
    expect(headersOnly.bounceEvidence?.recipientDomains).toContain('ceg-hu.example');
  });

  it('without knowing our address, a foreign bounce from a person-looking sender is not guessed', async () => {
    const message = await parse('bounce-headers-only-unknown-language.eml', PARSE_OPTIONS);
    expect(message.automated).toBeUndefined();
  });

  it.each([
    ['noreply@shop.example', 'alert'],
    ['no-reply@shop.example', 'alert'],
    ['do-not-reply@shop.example', 'alert'],
    ['DoNotReply@shop.example', 'alert'],
    ['mailer-daemon@mx.shop.example', 'bounce'],
    ['postmaster@shop.example', 'bounce'],
    ['owner-utenti@liste.example', 'list'],
    ['utenti-request@liste.example', 'list'],
    ['bounces+12345@mailer.example', 'other'],
    ['bounce-99@mailer.example', 'other'],
  ])('From %s → %s', async (from, kind) => {
    const raw = rawMail([`From: ${from}`, 'To: assistenza@negozio.example', 'Subject: Avviso']);
    expect(detectAutomatedMail(await simpleParser(raw))?.kind).toBe(kind);
  });

  it.each([
    'info@shop.example',
    'support@shop.example',
    'bounceback.mario@shop.example',
    'noreplyrossi@x.example',
  ])('From %s is a person', async (from) => {
    const raw = rawMail([`From: ${from}`, 'To: assistenza@negozio.example', 'Subject: Ciao']);
    expect(detectAutomatedMail(await simpleParser(raw))).toBeUndefined();
  });
});

describe('the support address as a group or list', () => {
  it('mail through our own Google Group is the customer’s, from the original sender', async () => {
    const message = await parse('own-google-group.eml');
    expect(message.automated).toBeUndefined();
    expect(message.sender).toEqual({
      kind: 'email',
      address: 'anna@cliente.example',
      displayName: 'Anna Verdi',
    });
  });

  it('MAIL_OWN_LISTS names the group when it is not MAIL_FROM', async () => {
    const raw = readFixture('real-world', 'own-google-group.eml');
    const other = await parseMail(raw, { ...PARSE_OPTIONS, own: { address: 'noreply@negozio.example' } });
    expect(other.automated?.kind).toBe('list');
    const listed = await parseMail(raw, {
      ...PARSE_OPTIONS,
      own: { address: 'help@negozio.example', ownLists: ['assistenza@negozio.example'] },
    });
    expect(listed.automated).toBeUndefined();
    expect(listed.sender.address).toBe('anna@cliente.example');
  });

  it('someone else’s list stays a list even when it mentions us', async () => {
    const raw = rawMail([
      'From: Mario <mario@altro.example>',
      'To: utenti@liste.altro.example',
      'Cc: assistenza@negozio.example',
      'Subject: Domanda',
      'List-Id: <utenti.liste.altro.example>',
      'Precedence: list',
    ]);
    expect((await parseMail(raw, OPTIONS)).automated?.kind).toBe('list');
  });

  it('an auto-reply through our own group is still an auto-reply', async () => {
    const raw = rawMail([
      'From: Anna <anna@cliente.example>',
      'To: assistenza@negozio.example',
      'Subject: Fuori sede',
      'List-Id: <assistenza.negozio.example>',
      'Precedence: list',
      'Auto-Submitted: auto-replied',
    ]);
    expect((await parseMail(raw, OPTIONS)).automated?.kind).toBe('auto_reply');
  });
});

describe('form mailers', () => {
  it('a noreply From with a person in Reply-To is that person’s mail', async () => {
    const message = await parse('form-mailer-wordpress.eml');
    expect(message.sender).toEqual({
      kind: 'email',
      address: 'luca.bianchi@cliente.example',
      displayName: 'Luca Bianchi',
    });
    expect(message.automated).toBeUndefined();
  });

  it.each([
    ['two people in Reply-To', 'Reply-To: a@cliente.example, b@cliente.example'],
    ['a machine in Reply-To', 'Reply-To: no-reply@sito.example'],
    ['our own address in Reply-To', 'Reply-To: assistenza+hd1x@negozio.example'],
  ])('with %s it stays a machine’s mail', async (_, replyTo) => {
    const raw = rawMail([
      'From: noreply@sito.example',
      replyTo,
      'To: assistenza@negozio.example',
      'Subject: Modulo',
    ]);
    const message = await parseMail(raw, OPTIONS);
    expect(message.sender.address).toBe('noreply@sito.example');
    expect(message.automated?.kind).toBe('alert');
  });

  it('a person’s Reply-To does not change a person’s mail', async () => {
    const raw = rawMail([
      'From: Anna <anna@cliente.example>',
      'Reply-To: segreteria@cliente.example',
      'To: assistenza@negozio.example',
      'Subject: Stampante',
    ]);
    expect((await parseMail(raw, OPTIONS)).sender.address).toBe('anna@cliente.example');
  });
});

describe('attachments and quotes', () => {
  it('an unnamed calendar part is kept as invito.ics', async () => {
    const message = await parse('outlook-calendar-invite.eml');
    expect(message.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['invito.ics', 'text/calendar'],
    ]);
    expect(Buffer.from(message.attachments[0]!.content!).toString()).toContain('BEGIN:VCALENDAR');
  });

  it('a Hotmail reply: the <hr> and the Oggetto/A/Da block are cut, no dash rule is left', async () => {
    const message = await parse('hotmail-hr-reply.eml');
    expect(message.newText).toBe('Grazie, ora funziona.');
    expect(message.fullText).toContain('Provi a riavviare');
  });
});

describe('odd and hostile input', () => {
  const base = ['To: assistenza@negozio.example', 'Subject: Prova'];

  it.each([
    ['a List-Id that only starts like ours', 'List-Id: <assistenza.negozio.example.altro.example>'],
    ['a List-Post to a look-alike address', 'List-Post: <mailto:assistenza@negozio.example.altro.example>'],
    ['an empty List-Id', 'List-Id:'],
  ])('%s is someone else’s list', async (_, header) => {
    const raw = rawMail(['From: Mario <mario@altro.example>', ...base, header, 'Precedence: list']);
    expect((await parseMail(raw, OPTIONS)).automated?.kind).toBe('list');
  });

  it.each([
    ['two addresses in X-Original-From', 'X-Original-From: a@cliente.example, b@cliente.example'],
    ['garbage in X-Original-From', 'X-Original-From: =?utf-8?q?=00=01?= <<<>>>'],
    ['a machine in X-Original-From', 'X-Original-From: noreply@cliente.example'],
  ])('group mail with %s and no Reply-To stays ours, and is never a customer’s', async (_, header) => {
    const raw = rawMail([
      'From: "via Assistenza" <assistenza@negozio.example>',
      ...base,
      header,
      'List-Id: <assistenza.negozio.example>',
      'Precedence: list',
    ]);
    const message = await parseMail(raw, OPTIONS);
    expect(message.sender.address).toBe('assistenza@negozio.example');
  });

  it('a returned part without headers, or with a Message-ID of someone else, is no bounce of ours', async () => {
    for (const returned of ['', 'Subject: x\r\nMessage-ID: <1@altro.example>\r\n\r\nbody']) {
      const raw = rawMail(
        [
          'From: Servizio <servizio@isp.example>',
          ...base,
          'MIME-Version: 1.0',
          'Content-Type: multipart/mixed; boundary="q"',
        ],
        [
          '--q',
          'Content-Type: text/plain',
          '',
          'Avviso',
          '--q',
          'Content-Type: message/rfc822',
          '',
          returned,
          '--q--',
        ].join('\n'),
      );
      const message = await parseMail(raw, OPTIONS);
      expect(message.automated).toBeUndefined();
      expect(message.bouncedExternalIds).toBeUndefined();
    }
  });

  it('an application/ms-tnef part that is not TNEF at all is kept as it came', async () => {
    const raw = rawMail(
      [
        'From: Paolo <paolo@studio.example>',
        ...base,
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="q"',
      ],
      [
        '--q',
        'Content-Type: text/plain',
        '',
        'Allegato',
        '--q',
        'Content-Type: application/ms-tnef',
        '',
        'not tnef',
        '--q--',
      ].join('\n'),
    );
    const message = await parseMail(raw, OPTIONS);
    expect(message.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['attachment-1', 'application/ms-tnef'],
    ]);
    expect(message.newText).toBe('Allegato');
  });
});
