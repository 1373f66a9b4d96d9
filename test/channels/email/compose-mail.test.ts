import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { describe, expect, it } from 'vitest';
import {
  type ComposeMailOptions,
  composeMail,
  newMessageId,
  plusAddress,
  trimReferences,
} from '../../../src/channels/email/compose-mail.js';
import { parseMail } from '../../../src/channels/email/parse-mail.js';
import type { OutboundMessage } from '../../../src/core/channel.js';
import { createReplyToken } from '../../../src/core/reply-token.js';

const TOKEN = createReplyToken('test-secret', 1042);
const SENDER: ComposeMailOptions = {
  from: 'assistenza@negozio.it',
  fromName: 'Assistenza Negozio',
  domain: 'negozio.it',
};
const PARSE_OPTIONS = {
  maxAttachmentBytes: 1024 * 1024,
  maxMailBytes: 1024 * 1024,
  now: new Date('2030-01-01T00:00:00Z'),
};

function outbound(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    deliveryId: 'delivery-1',
    channel: 'email',
    recipient: { kind: 'email', address: 'mario.rossi@example.it', displayName: 'Mario Rossi' },
    automatic: false,
    ticket: { number: 1042, subject: 'Stampante non stampa' },
    subject: '[#1042] Stampante non stampa',
    text: 'Buongiorno, passiamo domani alle 10.',
    html: '<p>Buongiorno, passiamo <b>domani</b> alle 10.</p>',
    threading: { messageId: `<${TOKEN}.abc123@negozio.it>`, replyToken: TOKEN },
    ...overrides,
  };
}

/** The raw message nodemailer would send. */
async function render(options: Mail.Options): Promise<string> {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  const info = await transport.sendMail(options);
  return (info.message as Buffer).toString('utf8');
}

/** The unfolded header section of a raw message, as `name → value` (first occurrence). */
function headersOf(raw: string): Map<string, string> {
  const section = raw.slice(0, raw.indexOf('\n\n')).replace(/\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of section.split('\n')) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return headers;
}

describe('newMessageId', () => {
  it('puts the token first when there is one', () => {
    expect(newMessageId(TOKEN, 'negozio.it', 'r4nd0m')).toBe(`<${TOKEN}.r4nd0m@negozio.it>`);
  });

  it('is just random@domain without a token', () => {
    expect(newMessageId(undefined, 'negozio.it', 'r4nd0m')).toBe('<r4nd0m@negozio.it>');
    expect(newMessageId('', 'Negozio.IT', 'r4nd0m')).toBe('<r4nd0m@negozio.it>');
  });

  it('drops characters that may not appear in a Message-ID', () => {
    expect(newMessageId(undefined, 'negozio.it', 'a b<c>@d"e')).toBe('<abcde@negozio.it>');
  });
});

describe('helpers', () => {
  it('plusAddress adds the token before the @', () => {
    expect(plusAddress('assistenza@negozio.it', TOKEN)).toBe(`assistenza+${TOKEN}@negozio.it`);
  });

  it('trimReferences keeps the first one and the last nine', () => {
    const ids = Array.from({ length: 15 }, (_, index) => `<r${index}@x.it>`);
    expect(trimReferences(ids)).toEqual([ids[0], ...ids.slice(6)]);
    expect(trimReferences(ids.slice(0, 10))).toEqual(ids.slice(0, 10));
  });
});

describe('composeMail', () => {
  it('sets From with the display name, To with the recipient’s name, Reply-To with the token', async () => {
    const headers = headersOf(await render(composeMail(outbound(), SENDER)));
    expect(headers.get('from')).toBe('Assistenza Negozio <assistenza@negozio.it>');
    expect(headers.get('to')).toBe('Mario Rossi <mario.rossi@example.it>');
    expect(headers.get('reply-to')).toBe(`assistenza+${TOKEN}@negozio.it`);
    expect(headers.get('message-id')).toBe(`<${TOKEN}.abc123@negozio.it>`);
    expect(headers.get('subject')).toBe('[#1042] Stampante non stampa');
  });

  it('without fromName, display names or token: plain addresses and no Reply-To', async () => {
    const message = outbound({
      recipient: { kind: 'email', address: 'mario@example.it' },
      threading: { messageId: '<m1@negozio.it>' },
    });
    const headers = headersOf(
      await render(composeMail(message, { from: 'assistenza@negozio.it', domain: 'negozio.it' })),
    );
    expect(headers.get('from')).toBe('assistenza@negozio.it');
    expect(headers.get('to')).toBe('mario@example.it');
    expect(headers.has('reply-to')).toBe(false);
  });

  it('mints a Message-ID from the delivery id when the core gave none, the same on every retry', () => {
    const message = outbound({ threading: { replyToken: TOKEN } });
    expect(composeMail(message, SENDER).messageId).toBe(`<${TOKEN}.delivery-1@negozio.it>`);
    expect(composeMail(message, SENDER).messageId).toBe(composeMail(message, SENDER).messageId);
  });

  it('a reply carries In-Reply-To and References, and gets Re: once', async () => {
    const message = outbound({
      threading: {
        messageId: `<${TOKEN}.abc@negozio.it>`,
        inReplyTo: '<c2@example.it>',
        references: ['<c1@example.it>', '<n1@negozio.it>'],
        replyToken: TOKEN,
      },
    });
    const headers = headersOf(await render(composeMail(message, SENDER)));
    expect(headers.get('in-reply-to')).toBe('<c2@example.it>');
    expect(headers.get('references')).toBe('<c1@example.it> <n1@negozio.it> <c2@example.it>');
    expect(headers.get('subject')).toBe('Re: [#1042] Stampante non stampa');
  });

  it('References are trimmed to the first plus the last nine', async () => {
    const references = Array.from({ length: 14 }, (_, index) => `<r${index}@x.it>`);
    const message = outbound({
      threading: { messageId: '<m@negozio.it>', inReplyTo: '<r13@x.it>', references },
    });
    const mail = composeMail(message, SENDER);
    expect(mail.references).toEqual([references[0], ...references.slice(5)]);
    const headers = headersOf(await render(mail));
    expect(headers.get('references')?.split(' ')).toHaveLength(10);
  });

  it.each([
    ['Re: [#1042] Stampante', 'Re: [#1042] Stampante'],
    ['RE: [#1042] Stampante', 'RE: [#1042] Stampante'],
    ['R: [#1042] Stampante', 'R: [#1042] Stampante'],
    ['AW: [#1042] Drucker', 'AW: [#1042] Drucker'],
    ['[#1042] Stampante', 'Re: [#1042] Stampante'],
    ['[#1042] Re: [#1042] Stampante', 'Re: [#1042] Re: Stampante'],
  ])('reply subject %j → %j', (subject, expected) => {
    const message = outbound({ subject, threading: { messageId: '<m@negozio.it>', inReplyTo: '<c@x.it>' } });
    expect(composeMail(message, SENDER).subject).toBe(expected);
  });

  it('a first message (no In-Reply-To) gets no Re:', () => {
    expect(composeMail(outbound(), SENDER).subject).toBe('[#1042] Stampante non stampa');
  });

  it('never doubles the tag, and builds the subject from the ticket when the core gave none', () => {
    expect(composeMail(outbound({ subject: '[#1042] [#1042] Stampante' }), SENDER).subject).toBe(
      '[#1042] Stampante',
    );
    expect(composeMail(outbound({ subject: undefined }), SENDER).subject).toBe(
      '[#1042] Stampante non stampa',
    );
    const tagged = outbound({ subject: undefined, ticket: { number: 1042, subject: '[#1042] Stampante' } });
    expect(composeMail(tagged, SENDER).subject).toBe('[#1042] Stampante');
  });

  it('automatic mail says Auto-Submitted: auto-replied and X-Auto-Response-Suppress: All', async () => {
    const headers = headersOf(await render(composeMail(outbound({ automatic: true }), SENDER)));
    expect(headers.get('auto-submitted')).toBe('auto-replied');
    expect(headers.get('x-auto-response-suppress')).toBe('All');
  });

  it('a technician’s reply has neither', async () => {
    const raw = await render(composeMail(outbound({ automatic: false }), SENDER));
    expect(raw).not.toMatch(/^auto-submitted:/im);
    expect(raw).not.toMatch(/^x-auto-response-suppress:/im);
  });

  it('sets Content-Language when the language is known', async () => {
    const headers = headersOf(await render(composeMail(outbound(), { ...SENDER, language: 'it' })));
    expect(headers.get('content-language')).toBe('it');
    expect(headersOf(await render(composeMail(outbound(), SENDER))).has('content-language')).toBe(false);
  });

  it('sends text and HTML as alternatives, text only when there is no HTML', async () => {
    const both = await render(composeMail(outbound(), SENDER));
    expect(headersOf(both).get('content-type')).toMatch(/^multipart\/alternative/);
    expect(both).toContain('Content-Type: text/plain');
    expect(both).toContain('Content-Type: text/html');
    const textOnly = await render(composeMail(outbound({ html: undefined }), SENDER));
    expect(headersOf(textOnly).get('content-type')).toMatch(/^text\/plain/);
  });

  it('jsonTransport sees the same envelope and ids', async () => {
    const transport = nodemailer.createTransport({ jsonTransport: true });
    const info = await transport.sendMail(composeMail(outbound({ automatic: true }), SENDER));
    const json = JSON.parse(info.message as string);
    expect(info.envelope).toEqual({ from: 'assistenza@negozio.it', to: ['mario.rossi@example.it'] });
    expect(json.messageId).toBe(`<${TOKEN}.abc123@negozio.it>`);
    expect(json.headers).toEqual({ 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' });
  });

  it('never reads local files or URLs', () => {
    const mail = composeMail(outbound(), SENDER);
    expect(mail.disableFileAccess).toBe(true);
    expect(mail.disableUrlAccess).toBe(true);
  });
});

describe('round trip: compose → raw → parseMail', () => {
  it('our own mail parses back with its id, subject tag and automatic flag', async () => {
    const raw = Buffer.from(await render(composeMail(outbound({ automatic: true }), SENDER)));
    const parsed = await parseMail(raw, PARSE_OPTIONS);
    expect(parsed.externalId).toBe(`<${TOKEN}.abc123@negozio.it>`);
    expect(parsed.thread.ticketNumber).toBe(1042);
    expect(parsed.automated?.kind).toBe('auto_reply');
    expect(parsed.newText).toBe('Buongiorno, passiamo domani alle 10.');
  });

  /** What a customer's mail client sends when they press Reply on our mail. */
  async function customerReply(
    ours: string,
    keep: { inReplyTo: boolean; replyTo: boolean },
  ): Promise<Buffer> {
    const headers = headersOf(ours);
    return Buffer.from(
      await render({
        from: 'Mario Rossi <mario.rossi@example.it>',
        to: keep.replyTo ? headers.get('reply-to') : headers.get('from'),
        subject: `Re: ${headers.get('subject')}`,
        ...(keep.inReplyTo
          ? { inReplyTo: headers.get('message-id'), references: headers.get('message-id') }
          : {}),
        text: 'Sì, va bene.\n\nIl giorno lun 10 mar 2025 alle ore 09:00 Assistenza ha scritto:\n> Buongiorno, passiamo domani alle 10.',
      }),
    );
  }

  it.each([
    ['a full reply', { inReplyTo: true, replyTo: true }],
    ['a client that drops In-Reply-To', { inReplyTo: false, replyTo: true }],
    ['a client that ignores Reply-To', { inReplyTo: true, replyTo: false }],
  ])('%s still carries the reply token and the tag', async (_label, keep) => {
    const ours = await render(composeMail(outbound(), SENDER));
    const reply = await parseMail(await customerReply(ours, keep), PARSE_OPTIONS);
    expect(reply.thread.replyTokens).toEqual([TOKEN]);
    expect(reply.thread.ticketNumber).toBe(1042);
    expect(reply.newText).toBe('Sì, va bene.');
    expect(reply.automated).toBeUndefined();
    if (keep.inReplyTo) expect(reply.thread.inReplyTo).toEqual([`<${TOKEN}.abc123@negozio.it>`]);
  });

  it('a bounce of our mail names it in bouncedExternalIds', async () => {
    const ours = await render(composeMail(outbound(), SENDER));
    const bounce = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.it>',
      'To: assistenza@negozio.it',
      'Subject: Undelivered Mail Returned to Sender',
      'Message-ID: <bounce-1@mx.example.it>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'The mail could not be delivered.',
      '--b',
      'Content-Type: message/delivery-status',
      '',
      'Final-Recipient: rfc822; mario.rossi@example.it',
      'Action: failed',
      'Status: 5.1.1',
      '--b',
      'Content-Type: message/rfc822',
      '',
      ours,
      '--b--',
      '',
    ].join('\n');
    const parsed = await parseMail(Buffer.from(bounce), PARSE_OPTIONS);
    expect(parsed.automated?.kind).toBe('bounce');
    expect(parsed.bouncedExternalIds).toEqual([`<${TOKEN}.abc123@negozio.it>`]);
  });
});
