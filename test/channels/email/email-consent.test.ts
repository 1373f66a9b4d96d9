import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMailBatch } from '../../../src/channels/email/mail-batch.js';
import { MailParsePool } from '../../../src/channels/email/parse-pool.js';
import { createCustomer } from '../../../src/core/customers.js';
import { createLogger } from '../../../src/logger.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { TestChannel } from '../../helpers/test-channel.js';

/**
 * Consent answers by email as real clients write them (Outlook, Thunderbird, Apple Mail): the
 * quoted request below must not count, only the customer's new words.
 */
let app: TestApp;
const email = new TestChannel('email');
const parser = new MailParsePool({ timeoutMs: 20_000 });
let uid = 0;
let n = 0;

beforeAll(async () => {
  app = await startTestApp({ adapters: () => [email] });
});
afterAll(async () => {
  await parser.close();
  await app.close();
});

function mail(from: string, subject: string, body: string): Buffer {
  return Buffer.from(
    [
      `From: Mario Rossi <${from}>`,
      'To: assistenza@example.test',
      `Subject: ${subject}`,
      `Message-ID: <${randomUUID()}@example.test>`,
      'Date: Tue, 01 Dec 2026 09:30:00 +0100',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      body,
      '',
    ].join('\r\n'),
  );
}

/** Ingests one mail; returns the UIDs the mailbox must expunge (they carried credentials). */
async function receive(source: Buffer, sameUid?: number) {
  if (sameUid === undefined) uid++;
  const held = await ingestMailBatch(app.channelContext, [{ uid: sameUid ?? uid, source }], {
    maxAttachmentBytes: 1024 * 1024,
    maxMailBytes: 5 * 1024 * 1024,
    maxRawInputBytes: 5 * 1024 * 1024,
    parser,
    now: () => new Date(),
    logger: createLogger('silent'),
    stats: { ingested: 0, failed: 0 },
  });
  await app.settle();
  return [...held];
}

/** A customer, a ticket and a consent request; returns what the reply needs. */
async function asked() {
  n++;
  const from = `mario${n}@example.test`;
  await createCustomer(
    app.core,
    { name: 'Mario Rossi', status: 'active', identities: [{ kind: 'email', address: from }] },
    'test',
  );
  await receive(mail(from, 'PC lento', 'Il PC è lentissimo'));
  const { rows } = await app.database.sql.query<{ number: number }>(
    'select number from tickets order by id desc limit 1',
  );
  const number = rows[0]!.number;
  const response = await app.api(`/tickets/${number}/consents`, { body: { technician: 'Luca' } });
  expect(response.status).toBe(201);
  await app.settle();
  const request = email.sentTo(from).at(-1)!;
  return { from, number, request: request.text, subject: `RE: ${request.subject}` };
}

async function events(number: number) {
  const response = await app.api(`/tickets/${number}/consents`);
  return ((await response.json()) as { consents: Array<{ event: string; answerText: string }> }).consents;
}

const quote = (text: string) =>
  text
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');

describe('consent by email', () => {
  it('Outlook "No grazie" above the quoted request refuses', async () => {
    const { from, number, request, subject } = await asked();
    await receive(
      mail(
        from,
        subject,
        [
          'No grazie',
          '',
          '________________________________',
          'Da: Assistenza <assistenza@example.test>',
          'Inviato: martedì 1 dicembre 2026 09:00',
          `A: Mario Rossi <${from}>`,
          `Oggetto: ${subject.slice(4)}`,
          '',
          request,
        ].join('\n'),
      ),
    );
    const rows = await events(number);
    expect(rows.map((r) => r.event)).toEqual(['requested', 'refused']);
    expect(rows.at(-1)!.answerText).toBe('No grazie');
    expect(email.sentTo(from).at(-1)!.text).toContain('nessun collegamento da remoto');
  });

  it('Thunderbird "Sì, va bene" grants, though the quote says NO and STOP', async () => {
    const { from, number, request, subject } = await asked();
    await receive(
      mail(
        from,
        subject,
        ['Sì, va bene', '', 'Il 01/12/26 09:00, Assistenza ha scritto:', quote(request)].join('\n'),
      ),
    );
    const rows = await events(number);
    expect(rows.map((r) => r.event)).toEqual(['requested', 'granted']);
    expect(rows.at(-1)!.answerText).toBe('Sì, va bene');
  });

  it('a conditional reply is not consent, and the customer is asked again', async () => {
    const { from, number, request, subject } = await asked();
    await receive(
      mail(
        from,
        subject,
        [
          'Sì, ma solo dopo le 15',
          '',
          'Il giorno 1 dic 2026, alle ore 09:00, Assistenza <assistenza@example.test> ha scritto:',
          '',
          quote(request),
        ].join('\n'),
      ),
    );
    expect((await events(number)).map((r) => r.event)).toEqual(['requested', 'unclear']);
    expect(email.sentTo(from).at(-1)!.text).toContain('risponda solo SÌ');
  });

  it('a reply with the credentials is marked for removal from the mailbox, even when read again', async () => {
    const { from, subject } = await asked();
    expect(await receive(mail(from, subject, 'Sì'))).toEqual([]);
    const credentials = mail(from, subject, 'ID 987 654 321\npassword: Zx9!tre');
    expect(await receive(credentials)).toEqual([uid]);
    const first = uid;
    // Stored, then the connection dropped before the expunge: the re-read is a duplicate.
    expect(await receive(credentials, first)).toEqual([first]);
    expect(await receive(mail(from, subject, 'Grazie, a dopo'))).toEqual([]);
  });

  it.each([
    [
      'Apple Mail, iPhone',
      'Sì, grazie!\n\nInviato da iPhone\n\n> Il giorno 1 dic 2026, alle ore 09:00, Assistenza <assistenza@example.test> ha scritto:\n>\n',
    ],
    [
      'Gmail, English, signature',
      'yes please\n\n-- \nMario Rossi\nACME Srl - Tel 02 1234567\n\nOn Tue, 1 Dec 2026 at 09:00, Assistenza <assistenza@example.test> wrote:\n\n',
    ],
    [
      'Outlook, English, sign-off',
      'OK.\n\nMario\n\nFrom: Assistenza <assistenza@example.test>\nSent: Tuesday, December 1, 2026 9:00 AM\nTo: Mario Rossi\nSubject: x\n\n',
    ],
  ])('%s: a top-posted yes grants', async (_client, top) => {
    const { from, number, request, subject } = await asked();
    await receive(mail(from, subject, `${top}${quote(request)}`));
    expect((await events(number)).map((r) => r.event)).toEqual(['requested', 'granted']);
  });
});
