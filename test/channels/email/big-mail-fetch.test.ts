import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailAdapter } from '../../../src/channels/email/email-adapter.js';
import { createCustomer } from '../../../src/core/customers.js';
import { readStoredValue } from '../../../src/db/sql/stored-values.js';
import { createLogger } from '../../../src/logger.js';
import { DEFAULT_DOVECOT_USER, type DovecotServer, startDovecot } from '../../helpers/dovecot.js';
import { emailSettingsFor } from '../../helpers/email-settings.js';
import { rawInputData } from '../../helpers/raw-input-data.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { rawMail } from './mail-fixtures.js';

/**
 * Mail of 1 MB or more (under MAX_MAIL_MB) is fetched from the mailbox 1 MB at a time into memory
 * shared with the parser (issue 17): through a real Dovecot, every byte arrives, whatever the size
 * against the piece (a partial last piece, or none).
 */
const MB = 1024 * 1024;
let dovecot: DovecotServer;
let app: TestApp;
const { user, password } = DEFAULT_DOVECOT_USER;
const CUSTOMER = 'allegati@cliente.example';
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

beforeAll(async () => {
  dovecot = await startDovecot();
  app = await startTestApp({
    workers: false,
    adapters: () => [
      new EmailAdapter(emailSettingsFor(dovecot, { maxMailBytes: 25 * MB }), createLogger('silent'), {
        idleDelayMs: 100,
        pollIntervalMs: 1000,
      }),
    ],
    settings: { messageIdDomain: 'example.test' },
  });
  await createCustomer(
    app.core,
    { name: 'Allegati', status: 'active', identities: [{ kind: 'email', address: CUSTOMER }] },
    'test',
  );
}, 60_000);

afterAll(async () => {
  await app?.close();
  await dovecot?.stop();
});

/** A mail with one PDF of `file`, its text padded to make the source exactly `size` bytes when given. */
function mailWith(id: string, file: Buffer, size?: number, padding = ''): Buffer {
  const headers = [
    `From: ${CUSTOMER}`,
    `To: ${user}`,
    'Subject: Scansione',
    `Message-ID: <${id}@cliente.example>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="mix"',
  ];
  const body = [
    '--mix',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `In allegato la scansione.${padding}`,
    '--mix',
    'Content-Type: application/pdf; name="scansione.pdf"',
    'Content-Disposition: attachment; filename="scansione.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    file.toString('base64').replace(/.{76}/g, '$&\r\n'),
    '--mix--',
  ].join('\r\n');
  const raw = rawMail(headers, body);
  if (size === undefined || padding) return raw;
  // Lines of 80 bytes (78 dots and CRLF), then the rest on a last line.
  const missing = size - raw.length;
  const line = `\r\n${'.'.repeat(78)}`;
  const lines = line.repeat(Math.floor((missing - 2) / line.length));
  return mailWith(id, file, size, `${lines}\r\n${'.'.repeat(missing - lines.length - 2)}`);
}

async function stored(id: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { rows } = await app.database.sql.query<{ id: string; raw: string }>(
      "select id::text, raw_input_id::text as raw from messages where direction = 'inbound' and external_id = $1",
      [`<${id}@cliente.example>`],
    );
    if (rows[0]) return rows[0];
    if (Date.now() > deadline) throw new Error(`${id} was not stored`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('mail fetched in pieces', () => {
  it.each([
    ['a partial last piece', 'pezzi-1', 4 * MB + 123, undefined],
    ['a size that is a whole number of pieces', 'pezzi-2', 1.4 * MB, 2 * MB],
  ])(
    'keeps every byte with %s',
    async (_name, id, fileBytes, size) => {
      const file = randomBytes(Math.floor(fileBytes));
      const raw = mailWith(id, file, size);
      if (size !== undefined) expect(raw.length).toBe(size);
      await dovecot.appendMessage(user, password, raw);
      const message = await stored(id);
      expect(sha256((await rawInputData(app.database.sql, message.raw))!)).toBe(sha256(raw));
      const { rows } = await app.database.sql.query<{ id: string; filename: string }>(
        'select id::text, filename from attachments where message_id = $1',
        [message.id],
      );
      expect(rows.map((r) => r.filename)).toEqual(['scansione.pdf']);
      expect(sha256(await readStoredValue(app.database.sql, 'attachment', rows[0]!.id))).toBe(sha256(file));
    },
    120_000,
  );
});
