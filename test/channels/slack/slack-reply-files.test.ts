import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelegramAdapter } from '../../../src/channels/telegram/telegram-adapter.js';
import { createCustomer } from '../../../src/core/customers.js';
import { FakeSlack } from '../../helpers/fake-slack/fake-slack.js';
import { messageEvent } from '../../helpers/fake-slack/slack-events.js';
import { FakeTelegramApi } from '../../helpers/fake-telegram-api.js';
import { type SmtpCapture, startSmtpCapture } from '../../helpers/smtp-capture.js';
import {
  CHANNEL,
  emailCustomer,
  ingestMail,
  type SlackTestApp,
  SmtpOnlyEmail,
  startSlackApp,
  TECH,
} from './slack-kit.js';

/** Bytes that differ from file to file, so a test sees the right file arrive whole. */
function bytes(size: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length: size }, (_, i) => (i * 31 + seed) % 256));
}

/** Files attached to a technician's thread reply go to the customer with the text. */
describe('Slack: files of a technician reply', () => {
  let fake: FakeSlack;
  let s: SlackTestApp;
  let smtp: SmtpCapture;
  let telegram: FakeTelegramApi;

  beforeEach(async () => {
    fake = new FakeSlack();
    await fake.start();
    fake.users.set(TECH, { display_name: 'Giulia', real_name: 'Giulia Bianchi' });
    smtp = await startSmtpCapture();
    telegram = await FakeTelegramApi.start();
    s = await startSlackApp(fake, {
      mode: 'http',
      others: (core) => [
        // Mail up to 256 KB of headroom + 100 KB of files (MAX_MAIL_MB scaled down).
        new SmtpOnlyEmail(smtp, 256 * 1024 + 100 * 1024),
        new TelegramAdapter({
          settings: { token: telegram.token, apiRoot: telegram.apiRoot },
          core,
          pollTimeoutSeconds: 1,
          retryBaseMs: 50,
          maxRetryMs: 200,
        }),
      ],
    });
  });
  afterEach(async () => {
    await s.app.close();
    await telegram.close();
    await fake.stop();
    await smtp.stop();
  });

  /** The technician answers in the card's thread with `files` attached. */
  async function replyWithFiles(cardTs: string, text: string, files: Record<string, unknown>[]) {
    const reply = fake.userMessage({ channel: CHANNEL, user: TECH, text, thread_ts: cardTs });
    await s.sendEvent({
      ...messageEvent({ channel: CHANNEL, user: TECH, text, ts: reply.ts, thread_ts: cardTs, files }),
      subtype: 'file_share',
    });
    return reply;
  }

  it('mails the files to an email customer as attachments; files over a limit stay behind, named in the thread', async () => {
    const { address } = await emailCustomer(s.app);
    const opened = await ingestMail(s.app, { from: address, subject: 'Backup', text: 'Il backup fallisce' });
    if (opened.status !== 'new_ticket') throw new Error(opened.status);
    const card = await fake.waitFor(() =>
      fake.messages.find((m) => !m.thread_ts && m.text.includes('Backup')),
    );
    await smtp.waitForMessages(1);
    smtp.clear();
    const report = bytes(50 * 1024, 1);
    const reply = await replyWithFiles(card.ts, 'Le allego il rapporto', [
      fake.hostFile('rapporto.pdf', report, 'application/pdf'),
      // Over the mail's room once the report is in (base64 counts).
      fake.hostFile('log.txt', bytes(60 * 1024, 2), 'text/plain'),
      // Over the download cap (MAX_ATTACHMENT_MB, 1 MB in the kit): never fetched.
      fake.hostFile('immagine-disco.zip', bytes(1024 * 1024 + 1, 3), 'application/zip'),
    ]);
    const [mail] = await smtp.waitForMessages(1);
    expect(mail!.envelope.to).toEqual([address]);
    expect(mail!.parsed.text).toContain('Le allego il rapporto');
    expect(mail!.parsed.attachments.map((a) => a.filename)).toEqual(['rapporto.pdf']);
    expect(mail!.parsed.attachments[0]!.contentType).toBe('application/pdf');
    expect(Buffer.compare(mail!.parsed.attachments[0]!.content, report)).toBe(0);
    const notice = await fake.waitFor(() =>
      fake.thread(card.ts).find((m) => m.text.includes('files not sent')),
    );
    expect(notice.text).toContain('log.txt');
    expect(notice.text).toContain('immagine-disco.zip');
    expect(notice.text).not.toContain('rapporto.pdf');
    await fake.waitFor(() => reply.reactions.includes('white_check_mark'));
    // Stored with the reply: the file sent, and the two left out with their reasons.
    const { rows } = await s.app.database.sql.query<{
      filename: string;
      kept: boolean;
      reason: string | null;
    }>(
      `select a.filename, a.content is not null as kept, a.omitted_reason as reason from attachments a
       join messages m on m.id = a.message_id where m.direction = 'outbound' order by a.id`,
    );
    expect(rows.map((r) => [r.filename, r.kept])).toEqual([
      ['rapporto.pdf', true],
      ['log.txt', false],
      ['immagine-disco.zip', false],
    ]);
    expect(rows[1]!.reason).toMatch(/limit per message of email/);
    // The payload names the files; their bytes stay in the attachments table.
    const payload = await s.app.database.sql.query<{ payload: { attachments?: unknown[] } }>(
      "select payload from deliveries where channel = 'email' and payload::text like '%rapporto.pdf%'",
    );
    expect(payload.rows[0]!.payload.attachments).toEqual([
      { id: expect.any(String), filename: 'rapporto.pdf', contentType: 'application/pdf', size: 50 * 1024 },
    ]);
  });

  it('sends a Telegram customer the text, then the image as a photo and the rest as documents', async () => {
    await createCustomer(
      s.app.core,
      {
        name: 'Bar Sport',
        locale: 'it',
        status: 'active',
        identities: [{ kind: 'telegram', address: '777001' }],
      },
      'test',
    );
    const opened = await s.app.channelContext.ingest({
      channel: 'telegram',
      externalId: '777001:5',
      sender: { kind: 'telegram', address: '777001', displayName: 'Luca' },
      newText: 'La cassa non stampa',
      fullText: 'La cassa non stampa',
      attachments: [],
      thread: { conversationId: '777001' },
      receivedAt: new Date(),
      raw: { contentType: 'application/json', data: '{}' },
    });
    expect(opened.status).toBe('new_ticket');
    const card = await fake.waitFor(() =>
      fake.messages.find((m) => !m.thread_ts && m.text.includes('Bar Sport')),
    );
    const screenshot = bytes(2048, 4);
    const driver = bytes(4096, 5);
    const reply = await replyWithFiles(card.ts, 'Installi questo driver', [
      fake.hostFile('schermata.png', screenshot, 'image/png'),
      fake.hostFile('driver.exe', driver, 'application/octet-stream'),
    ]);
    const text = await telegram.waitForSent(
      (c) => c.method === 'sendMessage' && String(c.params.text).includes('Installi questo driver'),
      10_000,
    );
    const photo = await telegram.waitForSent((c) => c.method === 'sendPhoto', 10_000);
    const document = await telegram.waitForSent((c) => c.method === 'sendDocument', 10_000);
    for (const call of [text, photo, document]) expect(String(call.params.chat_id)).toBe('777001');
    expect(Buffer.compare(photo.files.photo!.content, screenshot)).toBe(0);
    expect(document.files.document!.filename).toBe('driver.exe');
    expect(Buffer.compare(document.files.document!.content, driver)).toBe(0);
    expect(text.at.getTime()).toBeLessThanOrEqual(photo.at.getTime());
    await fake.waitFor(() => reply.reactions.includes('white_check_mark'));
    expect(fake.thread(card.ts).find((m) => m.text.includes('files not sent'))).toBeUndefined();
    // A reply of a file alone: the text names it.
    const alone = await replyWithFiles(card.ts, '', [
      fake.hostFile('istruzioni.txt', Buffer.from('Passo 1'), 'text/plain'),
    ]);
    await telegram.waitForSent(
      (c) => c.method === 'sendMessage' && String(c.params.text).includes('📎 istruzioni.txt'),
      10_000,
    );
    const second = await telegram.waitForSent(
      (c) => c.method === 'sendDocument' && c.files.document?.filename === 'istruzioni.txt',
      10_000,
    );
    expect(second.files.document!.content.toString()).toBe('Passo 1');
    await fake.waitFor(() => alone.reactions.includes('white_check_mark'));
  });

  it('uploads the files into a Slack customer’s DM thread after the text', async () => {
    const dm = 'DCUSTFILE1';
    await createCustomer(
      s.app.core,
      {
        name: 'Studio Verdi',
        locale: 'it',
        status: 'active',
        identities: [{ kind: 'slack', address: 'UCUSTF01' }],
      },
      'test',
    );
    const asked = fake.userMessage({ channel: dm, user: 'UCUSTF01', text: 'Il Wi-Fi cade' });
    const opened = await s.app.channelContext.ingest({
      channel: 'slack',
      externalId: `${dm}:${asked.ts}`,
      sender: { kind: 'slack', address: 'UCUSTF01', displayName: 'Paola' },
      newText: asked.text,
      fullText: asked.text,
      attachments: [],
      thread: { conversationId: dm },
      receivedAt: new Date(),
      raw: { contentType: 'application/json', data: '{}' },
    });
    expect(opened.status).toBe('new_ticket');
    const card = await fake.waitFor(() =>
      fake.messages.find((m) => m.channel === CHANNEL && !m.thread_ts && m.text.includes('Studio Verdi')),
    );
    const guide = bytes(3000, 6);
    const reply = await replyWithFiles(card.ts, 'Segua questa guida', [
      fake.hostFile('guida.pdf', guide, 'application/pdf'),
    ]);
    const text = await fake.waitFor(() =>
      fake.messages.find((m) => m.channel === dm && m.text.includes('Segua questa guida')),
    );
    expect(text.thread_ts).toBe(asked.ts);
    const file = await fake.waitFor(() =>
      fake.files.find((f) => f.filename === 'guida.pdf' && f.channel === dm),
    );
    expect(file.thread_ts).toBe(asked.ts);
    expect(Buffer.compare(file.bytes, guide)).toBe(0);
    await fake.waitFor(() => reply.reactions.includes('white_check_mark'));
  });
});
