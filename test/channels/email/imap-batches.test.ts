import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailAdapter } from '../../../src/channels/email/email-adapter.js';
import { createCustomer } from '../../../src/core/customers.js';
import { createLogger } from '../../../src/logger.js';
import { DEFAULT_DOVECOT_USER, type DovecotServer, startDovecot } from '../../helpers/dovecot.js';
import { emailSettingsFor } from '../../helpers/email-settings.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { rawMail } from './mail-fixtures.js';

let dovecot: DovecotServer;
let app: TestApp | undefined;
const { user, password } = DEFAULT_DOVECOT_USER;
const MAILS = 9;

beforeAll(async () => {
  dovecot = await startDovecot();
  // The backlog is there before the app starts, so it is read in several batches of four, each
  // fetched while the one before is being stored.
  // Mail 1 comes from a customer and mail 2 answers it: stored out of order, the answer would
  // open a ticket of its own instead of joining mail 1's.
  for (let i = 1; i <= MAILS; i++) {
    await dovecot.appendMessage(
      user,
      password,
      rawMail([
        `From: ${i <= 2 ? 'customer' : `sender-${i}`}@example.org`,
        `To: ${user}`,
        `Subject: ${i === 2 ? 'Re: Backlog 1' : `Backlog ${i}`}`,
        `Message-ID: <backlog-${i}@example.org>`,
        ...(i === 2 ? ['In-Reply-To: <backlog-1@example.org>'] : []),
      ]),
    );
  }
}, 60_000);

afterAll(async () => {
  await app?.close();
  await dovecot?.stop();
});

describe('IMAP backlog in batches', () => {
  it('stores every mail once, in mailbox order, flags each one and checkpoints the last', async () => {
    app = await startTestApp({
      workers: false,
      adapters: (_context, core) => {
        const adapter = new EmailAdapter(emailSettingsFor(dovecot), createLogger('silent'), {
          batchSize: 4,
          idleDelayMs: 100,
        });
        // The customer exists before the backlog is read.
        const start = adapter.start.bind(adapter);
        adapter.start = async (context) => {
          await createCustomer(
            core,
            {
              name: 'Cliente',
              status: 'active',
              identities: [{ kind: 'email', address: 'customer@example.org' }],
            },
            'test',
          );
          return start(context);
        };
        return [adapter];
      },
    });
    const deadline = Date.now() + 20_000;
    let stored: string[] = [];
    while (Date.now() < deadline) {
      const { rows } = await app.database.sql.query<{ external_id: string }>(
        "select external_id from messages where direction = 'inbound' order by id",
      );
      stored = rows.map((row) => row.external_id);
      if (stored.length >= MAILS) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(stored).toEqual(Array.from({ length: MAILS }, (_, i) => `<backlog-${i + 1}@example.org>`));
    const { rows: threaded } = await app.database.sql.query<{
      external_id: string;
      ticket_id: string | null;
    }>(
      "select external_id, ticket_id::text from messages where external_id in ('<backlog-1@example.org>', '<backlog-2@example.org>') order by id",
    );
    expect(threaded[0]!.ticket_id).not.toBeNull();
    expect(threaded[1]!.ticket_id).toBe(threaded[0]!.ticket_id);
    let listed = await dovecot.listMessages(user, password);
    while (Date.now() < deadline && !listed.every((m) => m.flags.includes('\\Seen'))) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      listed = await dovecot.listMessages(user, password);
    }
    expect(listed.map((m) => m.flags.includes('\\Seen'))).toEqual(Array(MAILS).fill(true));
    const { rows } = await app.database.sql.query<{ value: { lastUid: number } }>(
      "select value from channel_checkpoints where key like 'email%'",
    );
    expect(rows.map((row) => row.value.lastUid)).toEqual([MAILS]);
  });
});
