import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { detectAutomatedMail } from '../../../src/channels/email/automated-mail.js';
import { fixtureNames, rawMail, readFixture } from './mail-fixtures.js';

const PERSON = [
  'From: Mario Rossi <mario.rossi@example.it>',
  'To: assistenza@negozio.it',
  'Message-ID: <m1@example.it>',
];

async function verdictFor(headers: string[], body?: string, envelopeFrom?: string) {
  return detectAutomatedMail(await simpleParser(rawMail(headers, body)), envelopeFrom);
}

describe('detectAutomatedMail on the samples', () => {
  it.each(fixtureNames('bounces'))('bounces/%s is a bounce or a feedback report', async (name) => {
    const verdict = detectAutomatedMail(await simpleParser(readFixture('bounces', name)));
    expect(verdict, name).toBeDefined();
    expect(['bounce', 'feedback_report']).toContain(verdict!.kind);
    expect(verdict!.reason.length).toBeGreaterThan(0);
  });

  it('has the bounce samples', () => {
    expect(fixtureNames('bounces').length).toBeGreaterThan(50);
  });

  it.each(fixtureNames('bounces').filter((name) => name.startsWith('arf-')))(
    'bounces/%s is a feedback report',
    async (name) => {
      expect(detectAutomatedMail(await simpleParser(readFixture('bounces', name)))?.kind).toBe(
        'feedback_report',
      );
    },
  );

  it.each(fixtureNames('replies'))('replies/%s is written by a person', async (name) => {
    expect(detectAutomatedMail(await simpleParser(readFixture('replies', name)))).toBeUndefined();
  });

  const mimeExpectations: Record<string, string | undefined> = {
    'mailparser-base64encodedroot.eml': undefined,
    'mailparser-decoderended.eml': undefined,
    'mailparser-delivery-status.eml': 'bounce',
    'mailparser-htmllargecallstack.eml': undefined,
    'mailparser-large_text.eml': 'list',
    'mailparser-mixed.eml': undefined,
    'mailparser-nested.eml': undefined,
    'mailparser-nodemailer.eml': undefined,
    'mailparser-outofmemory.eml': undefined,
    // Spam from a no-reply address: never answered (issue 17 item 7).
    'mailparser-spam.eml': 'alert',
  };

  it('knows every mime sample', () => {
    expect(fixtureNames('mime').sort()).toEqual(Object.keys(mimeExpectations).sort());
  });

  it.each(Object.entries(mimeExpectations))('mime/%s → %s', async (name, kind) => {
    expect(detectAutomatedMail(await simpleParser(readFixture('mime', name)))?.kind).toBe(kind);
  });
});

describe('detectAutomatedMail rules', () => {
  it('a plain customer mail is not automated', async () => {
    expect(await verdictFor([...PERSON, 'Subject: La stampante non stampa'])).toBeUndefined();
  });

  it.each([
    ['auto-replied', 'auto_reply'],
    ['auto-generated', 'alert'],
    ['auto-notified', 'other'],
    ['auto-replied; owner-email="x@y"', 'auto_reply'],
  ])('Auto-Submitted: %s → %s', async (value, kind) => {
    const verdict = await verdictFor([...PERSON, 'Subject: Ciao', `Auto-Submitted: ${value}`]);
    expect(verdict?.kind).toBe(kind);
    expect(verdict?.reason).toContain('Auto-Submitted');
  });

  it.each(['no', 'No', 'no (comment)'])('Auto-Submitted: %s is not automated', async (value) => {
    expect(await verdictFor([...PERSON, 'Subject: Ciao', `Auto-Submitted: ${value}`])).toBeUndefined();
  });

  it.each(['X-Autoreply: yes', 'X-Autorespond: Out of office', 'X-AutoReply: true'])(
    '%s → auto_reply',
    async (header) => {
      expect((await verdictFor([...PERSON, 'Subject: Ciao', header]))?.kind).toBe('auto_reply');
    },
  );

  it.each(['All', 'OOF', 'DR, RN'])(
    'X-Auto-Response-Suppress: %s alone is not automated (Outlook sends it on human mail)',
    async (value) => {
      expect(
        await verdictFor([...PERSON, 'Subject: Ciao', `X-Auto-Response-Suppress: ${value}`]),
      ).toBeUndefined();
    },
  );

  it.each([
    ['bulk', 'list'],
    ['list', 'list'],
    ['junk', 'other'],
    ['auto_reply', 'auto_reply'],
    ['Bulk', 'list'],
  ])('Precedence: %s → %s', async (value, kind) => {
    expect((await verdictFor([...PERSON, 'Subject: Newsletter', `Precedence: ${value}`]))?.kind).toBe(kind);
  });

  it('Precedence: first-class is not automated', async () => {
    expect(await verdictFor([...PERSON, 'Subject: Ciao', 'Precedence: first-class'])).toBeUndefined();
  });

  it.each([
    'List-Id: Clienti <clienti.negozio.it>',
    'List-Unsubscribe: <mailto:unsubscribe@negozio.it>',
    'List-Unsubscribe: <https://example.com/u?id=1>',
  ])('%s → list', async (header) => {
    expect((await verdictFor([...PERSON, 'Subject: Offerte', header]))?.kind).toBe('list');
  });

  it('an empty Return-Path <> is automated', async () => {
    const verdict = await verdictFor(['Return-Path: <>', ...PERSON, 'Subject: Ciao']);
    expect(verdict?.kind).toBe('other');
    expect(verdict?.reason).toContain('Return-Path');
  });

  it('an empty envelope sender is automated', async () => {
    expect((await verdictFor([...PERSON, 'Subject: Ciao'], undefined, '<>'))?.kind).toBe('other');
    expect((await verdictFor([...PERSON, 'Subject: Ciao'], undefined, ''))?.kind).toBe('other');
    expect(
      await verdictFor([...PERSON, 'Subject: Ciao'], undefined, 'mario.rossi@example.it'),
    ).toBeUndefined();
  });

  it.each([
    'From: MAILER-DAEMON@mx.example.com',
    'From: Mail Delivery System <mailer-daemon@mx.example.com>',
    'From: postmaster@example.com',
    'From: Postmaster <Postmaster@example.com>',
    'From: MAILER-DAEMON <>',
    'From: Mail Delivery Subsystem <>',
  ])('%s → bounce', async (from) => {
    const verdict = await verdictFor([from, 'To: assistenza@negozio.it', 'Subject: Avviso']);
    expect(verdict?.kind).toBe('bounce');
  });

  it('a MAILER-DAEMON envelope sender → bounce', async () => {
    expect(
      (await verdictFor([...PERSON, 'Subject: Avviso'], undefined, 'MAILER-DAEMON@mx.example.com'))?.kind,
    ).toBe('bounce');
  });

  it('a Return-Path of postmaster → bounce', async () => {
    expect(
      (await verdictFor(['Return-Path: <postmaster@example.com>', ...PERSON, 'Subject: Avviso']))?.kind,
    ).toBe('bounce');
  });

  it.each([
    ['delivery-status', 'bounce'],
    ['feedback-report', 'feedback_report'],
    ['disposition-notification', 'other'],
  ])('top-level multipart/report; report-type=%s → %s', async (reportType, kind) => {
    const verdict = await verdictFor(
      [
        ...PERSON,
        'Subject: Report',
        'MIME-Version: 1.0',
        `Content-Type: multipart/report; report-type=${reportType}; boundary="b"`,
      ],
      '--b\r\nContent-Type: text/plain\r\n\r\nReport\r\n--b--',
    );
    expect(verdict?.kind).toBe(kind);
  });

  it('X-Failed-Recipients → bounce', async () => {
    expect((await verdictFor([...PERSON, 'Subject: Ciao', 'X-Failed-Recipients: x@example.com']))?.kind).toBe(
      'bounce',
    );
  });

  it.each([
    'Undelivered Mail Returned to Sender',
    'Delivery Status Notification (Failure)',
    'Mail delivery failed: returning message to sender',
    'Returned mail: see transcript for details',
    'Undeliverable: [#1042] Stampante',
    'Mancato recapito: [#1042] Stampante',
    'Non recapitabile: [#1042] Stampante',
    'Delivery Status Notification (Delay)',
    'failure notice',
    'Mail delivery failed',
  ])('subject "%s" → bounce', async (subject) => {
    expect((await verdictFor([...PERSON, `Subject: ${subject}`]))?.kind).toBe('bounce');
  });

  it.each([
    'Automatic reply: [#1042] Stampante',
    'Risposta automatica: [#1042] Stampante',
    'Out of Office',
    'Out of Office: Re: [#1042] Stampante',
    'Fuori sede',
    'Fuori sede fino al 20 agosto',
    'Fuori sede (rientro il 20/8)',
    'In ferie dal 5 al 20 agosto',
    'Autoreply: Ciao',
    'Réponse automatique : Re: Test',
  ])('subject "%s" → auto_reply', async (subject) => {
    expect((await verdictFor([...PERSON, `Subject: ${subject}`]))?.kind).toBe('auto_reply');
  });

  it.each([
    'Re: Risposta automatica non arriva',
    'La VPN non funziona quando sono fuori sede',
    'Fuori sedeee',
    'Problema con le risposte automatiche di Outlook',
    'Fuori sede: la VPN non funziona',
    'Mancato recapito delle email da ieri',
    'Undeliverable emails in Outlook',
    'Mail delivery failed da quando ho cambiato password',
    'Returned mail problem',
    'Delivery failure della posta PEC',
  ])('subject "%s" is a person writing', async (subject) => {
    expect(await verdictFor([...PERSON, `Subject: ${subject}`])).toBeUndefined();
  });

  it('a bounce that also says Auto-Submitted is a bounce', async () => {
    const verdict = await verdictFor([
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.com>',
      'Auto-Submitted: auto-replied',
      'Subject: Mail delivery failed: returning message to sender',
    ]);
    expect(verdict?.kind).toBe('bounce');
  });

  it('an Amazon SES complaint notification is a feedback report', async () => {
    const verdict = await verdictFor(
      ['From: SES <no-reply@sns.amazonaws.com>', 'Subject: AWS Notification Message'],
      '{"notificationType":"Complaint","complaint":{}}',
    );
    expect(verdict?.kind).toBe('feedback_report');
  });
});
