import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestMailBatch } from '../../src/channels/email/mail-batch.js';
import { MailParsePool } from '../../src/channels/email/parse-pool.js';
import { loadConfig } from '../../src/config.js';
import { createCustomer } from '../../src/core/customers.js';
import { createLogger } from '../../src/logger.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { TestChannel } from '../helpers/test-channel.js';

/**
 * A unique string planted in a customer's message, in a setting and in a query that fails must
 * appear in no log line (every level, captured from pino) and in no stored error or alert. The
 * raw input keeps it: that is the customer's own mail, kept on purpose.
 */
const PLANT = `Zq${randomUUID().replaceAll('-', '')}`;
const lines: string[] = [];
const capture = new Writable({
  write(chunk, _encoding, done) {
    lines.push(String(chunk));
    done();
  },
});

let app: TestApp;
const logger = createLogger('trace', capture);
const customerAddress = 'mario.rossi@example.test';

function mail(subject: string, body: string, attachmentName?: string): Buffer {
  const boundary = 'b-1';
  const parts = [
    `From: Mario Rossi <${customerAddress}>`,
    'To: assistenza@example.test',
    `Subject: ${subject}`,
    `Message-ID: <${randomUUID()}@example.test>`,
    'Date: Tue, 01 Dec 2026 09:00:00 +0100',
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
  ];
  if (attachmentName) {
    parts.push(
      `--${boundary}`,
      `Content-Type: text/plain; name="${attachmentName}"`,
      `Content-Disposition: attachment; filename="${attachmentName}"`,
      '',
      'allegato',
    );
  }
  parts.push(`--${boundary}--`, '');
  return Buffer.from(parts.join('\r\n'));
}

async function storedErrorsText(): Promise<string> {
  const { rows } = await app.database.sql.query<{ t: string }>(
    `select coalesce((select string_agg(coalesce(error, ''), ' ') from raw_inputs), '') ||
            coalesce((select string_agg(text || ' ' || coalesce(data::text, ''), ' ') from staff_alerts), '') ||
            coalesce((select string_agg(coalesce(last_error, ''), ' ') from deliveries), '') ||
            coalesce((select string_agg(coalesce(data::text, ''), ' ') from audit_log), '') ||
            coalesce((select string_agg(coalesce(disposition_reason, ''), ' ') from messages), '') as t`,
    [],
  );
  return rows[0]!.t;
}

const answers = new TestChannel('email');

beforeAll(async () => {
  app = await startTestApp({
    logger,
    // The answer must go somewhere: with no email channel running it waits for one (the outbox
    // retries for 48 h), and the test would never see it sent.
    adapters: () => [answers],
    env: { API_TOKEN: `token-${PLANT}` },
  });
  await createCustomer(
    app.core,
    { name: 'Mario Rossi', status: 'active', identities: [{ kind: 'email', address: customerAddress }] },
    'test',
  );
  // A rule the store enforces, so that a query carrying the customer's text fails for real.
  await app.database.sql.query(
    `alter table attachments add constraint no_planted_names check (filename not like 'refused-%')`,
    [],
  );
});
const parser = new MailParsePool({ timeoutMs: 20_000 });

afterAll(async () => {
  await parser.close();
  await app.close();
});

describe('no secret in any log or stored error', () => {
  it('keeps a planted string out of logs and stored errors while mail is stored, fails and is answered', async () => {
    const batchOptions = {
      maxAttachmentBytes: 1024 * 1024,
      maxMailBytes: 5 * 1024 * 1024,
      maxRawInputBytes: 5 * 1024 * 1024,
      parser,
      now: () => new Date(),
      logger,
      stats: { ingested: 0, failed: 0 },
    };
    await ingestMailBatch(
      app.channelContext,
      [
        { uid: 1, source: mail(`Stampante ${PLANT}`, `Il codice è ${PLANT}`) },
        // The attachment insert fails: the failing statement carries the planted text as parameters.
        { uid: 2, source: mail(`Errore ${PLANT}`, `Testo ${PLANT}`, `refused-${PLANT}.txt`) },
      ],
      batchOptions,
    );
    expect(batchOptions.stats).toEqual({ ingested: 1, failed: 1 });
    await app.settle();
    expect(answers.sent).toHaveLength(1);
    const api = await fetch(`${app.url}/api/v1/tickets?q=${PLANT}`, {
      headers: { authorization: `Bearer token-${PLANT}` },
    });
    expect(api.status).toBe(200);
    const refused = await fetch(`${app.url}/api/v1/tickets`, {
      headers: { authorization: `Bearer ${PLANT}` },
    });
    expect(refused.status).toBe(401);

    // The failure was kept with its raw bytes and a reason, and the technicians were told.
    const { rows } = await app.database.sql.query<{ error: string; data: Uint8Array }>(
      'select error, data from raw_inputs where error is not null',
      [],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.error).toMatch(/ingest failed: database error 23514/);
    expect(Buffer.from(rows[0]!.data).toString()).toContain(PLANT);

    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).toContain('mail could not be ingested');
    expect(lines.join('\n')).not.toContain(PLANT);
    expect(await storedErrorsText()).toContain('could not be processed');
    expect(await storedErrorsText()).not.toContain(PLANT);
  });

  it('names a bad setting without its value', () => {
    for (const [setting, value] of [
      ['DATABASE_URL', `mysql://admin:${PLANT}@db.example/helpdesk`],
      ['TELEGRAM_BOT_TOKEN', PLANT],
      ['API_TOKEN', PLANT.slice(0, 10)],
    ] as const) {
      expect(() => loadConfig({ [setting]: value })).toThrow(new RegExp(`^${setting}: `));
      try {
        loadConfig({ [setting]: value });
      } catch (error) {
        expect(String((error as Error).message)).not.toContain(PLANT);
        expect(JSON.stringify(error)).not.toContain(PLANT);
      }
    }
  });
});
