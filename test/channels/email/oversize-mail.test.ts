import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailAdapter } from '../../../src/channels/email/email-adapter.js';
import { createCustomer } from '../../../src/core/customers.js';
import { createLogger } from '../../../src/logger.js';
import { DEFAULT_DOVECOT_USER, type DovecotServer, startDovecot } from '../../helpers/dovecot.js';
import { emailSettingsFor } from '../../helpers/email-settings.js';
import { wholeRawInputData } from '../../helpers/raw-input-data.js';
import { type SmtpCapture, startSmtpCapture } from '../../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { rawMail } from './mail-fixtures.js';

/** Mail over MAX_MAIL_MB through a real Dovecot: only its start is fetched, kept and explained. */
const KB = 1024;
const MB = 1024 * KB;
let dovecot: DovecotServer;
let smtp: SmtpCapture;
let app: TestApp;
const { user, password } = DEFAULT_DOVECOT_USER;
const CUSTOMER = 'grande@cliente.example';

beforeAll(async () => {
  [dovecot, smtp] = await Promise.all([startDovecot(), startSmtpCapture()]);
  app = await startTestApp({
    adapters: () => [
      new EmailAdapter(
        emailSettingsFor(dovecot, { smtp, maxMailBytes: 1 * MB, maxRawInputBytes: 512 * KB }),
        createLogger('silent'),
        { idleDelayMs: 100, pollIntervalMs: 1000 },
      ),
    ],
    settings: { messageIdDomain: 'example.test', autoReplyLimitPerHour: 10 },
  });
  await createCustomer(
    app.core,
    { name: 'Grande', status: 'active', identities: [{ kind: 'email', address: CUSTOMER }] },
    'test',
  );
}, 60_000);

afterAll(async () => {
  await app?.close();
  await Promise.all([dovecot?.stop(), smtp?.stop()]);
});

function base64Lines(bytes: number): string {
  return Buffer.alloc(bytes, 0x41).toString('base64').replace(/.{76}/g, '$&\r\n');
}

async function stored(messageId: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { rows } = await app.database.sql.query<{
      id: string;
      new_text: string;
      raw_length: number;
      original_size: number | null;
    }>(
      `select m.id::text, m.new_text, length(${wholeRawInputData('r')}) as raw_length, r.original_size
         from messages m join raw_inputs r on r.id = m.raw_input_id
        where m.direction = 'inbound' and m.external_id = $1`,
      [messageId],
    );
    if (rows[0]) return rows[0];
    if (Date.now() > deadline) throw new Error(`${messageId} was not stored`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function attachmentsOf(messageId: string) {
  const { rows } = await app.database.sql.query<{
    filename: string;
    kept: boolean;
    omitted_reason: string | null;
  }>(
    'select filename, content is not null as kept, omitted_reason from attachments where message_id = $1 order by id',
    [messageId],
  );
  return rows;
}

describe('mail over MAX_MAIL_MB', () => {
  it('keeps the headers and first text part, lists the rest as not kept, and tells customer and technicians', async () => {
    const raw = rawMail(
      [
        `From: Cliente <${CUSTOMER}>`,
        `To: ${user}`,
        'Subject: Scansioni del contratto',
        'Message-ID: <oversize-1@cliente.example>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="mix"',
      ],
      [
        '--mix',
        'Content-Type: text/plain; charset=iso-8859-1',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'Buongiorno, in allegato le scansioni. Perch=E9 il PC non si accende?',
        '--mix',
        'Content-Type: application/pdf; name="scansione.pdf"',
        'Content-Disposition: attachment; filename="scansione.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        base64Lines(3 * MB),
        '--mix',
        'Content-Type: image/jpeg; name="foto.jpg"',
        'Content-Disposition: attachment; filename="foto.jpg"',
        'Content-Transfer-Encoding: base64',
        '',
        base64Lines(100 * KB),
        '--mix--',
      ].join('\r\n'),
    );
    await dovecot.appendMessage(user, password, raw);
    const message = await stored('<oversize-1@cliente.example>');
    expect(message.new_text).toContain('Perché il PC non si accende?');
    // Only the start was fetched and kept; the whole size is noted.
    expect(message.raw_length).toBeLessThan(64 * KB);
    expect(message.original_size).toBeGreaterThan(4 * MB);
    const files = await attachmentsOf(message.id);
    expect(files.map((file) => [file.filename, file.kept])).toEqual([
      ['scansione.pdf', false],
      ['foto.jpg', false],
    ]);
    expect(files[0]!.omitted_reason).toMatch(/over the 1 MB limit per message/);

    const notice = await smtp.waitFor((m) => /troppo grandi/.test(m.parsed.text ?? ''));
    expect(notice.parsed.to).toMatchObject({ value: [{ address: CUSTOMER }] });
    expect(notice.parsed.text).toContain('scansione.pdf');
    const { rows: alerts } = await app.database.sql.query<{ text: string }>(
      "select text from staff_alerts where kind = 'mail_oversize' and data->>'externalId' = '<oversize-1@cliente.example>'",
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.text).toMatch(/over the 1 MB limit: only its headers and first text part were kept/);
  });

  it('keeps a single huge text part up to its cap and says the rest was not kept', async () => {
    const line = `${'testo '.repeat(12)}\r\n`;
    const raw = rawMail(
      [
        `From: ${CUSTOMER}`,
        `To: ${user}`,
        'Subject: Log enorme',
        'Message-ID: <oversize-2@cliente.example>',
        'Content-Type: text/plain; charset=utf-8',
      ],
      `Inizio del log\r\n${line.repeat(Math.ceil((3 * MB) / line.length))}`,
    );
    await dovecot.appendMessage(user, password, raw);
    const message = await stored('<oversize-2@cliente.example>');
    expect(message.new_text.startsWith('Inizio del log')).toBe(true);
    expect(message.new_text.length).toBeLessThanOrEqual(1 * MB);
    expect(message.original_size).toBeGreaterThan(3 * MB);
    expect((await attachmentsOf(message.id)).map((file) => [file.filename, file.kept])).toEqual([
      ['message.eml', false],
    ]);
  });

  it('copes with an oversize mail of 400 KB of headers and no text part at all', async () => {
    const filler = Array.from({ length: 8000 }, (_, i) => `X-Filler-${i}: ${'v'.repeat(40)}`);
    const raw = rawMail(
      [
        `From: ${CUSTOMER}`,
        `To: ${user}`,
        'Subject: Solo allegato',
        'Message-ID: <oversize-3@cliente.example>',
        ...filler,
        'Content-Type: multipart/mixed; boundary="mix"',
      ],
      [
        '--mix',
        'Content-Type: application/zip; name="backup.zip"',
        'Content-Disposition: attachment; filename="backup.zip"',
        'Content-Transfer-Encoding: base64',
        '',
        base64Lines(2 * MB),
        '--mix--',
      ].join('\r\n'),
    );
    await dovecot.appendMessage(user, password, raw);
    const message = await stored('<oversize-3@cliente.example>');
    expect(message.new_text).toBe('');
    expect(message.raw_length).toBeLessThanOrEqual(256 * KB + 200);
    expect((await attachmentsOf(message.id)).map((file) => [file.filename, file.kept])).toEqual([
      ['backup.zip', false],
    ]);
  });

  it('keeps a mail under the mail cap whole, but its raw source only up to MAX_RAW_INPUT_MB', async () => {
    const raw = rawMail(
      [
        `From: ${CUSTOMER}`,
        `To: ${user}`,
        'Subject: Allegato medio',
        'Message-ID: <raw-cap@cliente.example>',
        'Content-Type: multipart/mixed; boundary="mix"',
      ],
      [
        '--mix',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Ecco il file.',
        '--mix',
        'Content-Type: application/octet-stream; name="medio.bin"',
        'Content-Disposition: attachment; filename="medio.bin"',
        'Content-Transfer-Encoding: base64',
        '',
        base64Lines(600 * KB),
        '--mix--',
      ].join('\r\n'),
    );
    await dovecot.appendMessage(user, password, raw);
    const message = await stored('<raw-cap@cliente.example>');
    expect(message.raw_length).toBe(512 * KB);
    expect(message.original_size).toBe(raw.length);
    expect(await attachmentsOf(message.id)).toEqual([
      { filename: 'medio.bin', kept: true, omitted_reason: null },
    ]);
  });
});
