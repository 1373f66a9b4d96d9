import { EmailAdapter } from '../../../src/channels/email/email-adapter.js';
import type { CoreSettings } from '../../../src/core/core-context.js';
import { createCustomer } from '../../../src/core/customers.js';
import { createLogger } from '../../../src/logger.js';
import { DEFAULT_DOVECOT_USER, type DovecotServer, startDovecot } from '../../helpers/dovecot.js';
import { emailSettingsFor } from '../../helpers/email-settings.js';
import { type SmtpCapture, startSmtpCapture } from '../../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

/** The email channel between a real Dovecot (in) and smtp-server (out), for end-to-end tests. */
export interface EmailKit {
  dovecot: DovecotServer;
  smtp: SmtpCapture;
  app: TestApp;
  /** Puts a raw mail into the watched mailbox. */
  deliver(raw: Buffer | string): Promise<void>;
  /** A new active customer with one email address. */
  newCustomer(): Promise<string>;
  /** Polls `probe` until it gives a value. */
  waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs?: number): Promise<T>;
  /** Stored inbound messages, oldest first. */
  inbound(where?: string, params?: unknown[]): Promise<InboundRow[]>;
  close(): Promise<void>;
}

export interface InboundRow {
  id: string;
  ticket_id: string | null;
  customer_id: string | null;
  disposition: string;
  disposition_reason: string | null;
  external_id: string;
  new_text: string;
}

export const HELPDESK = DEFAULT_DOVECOT_USER.user;

export async function startEmailKit(
  options: {
    env?: Record<string, string>;
    settings?: Partial<CoreSettings>;
    trustedAuthservIds?: string[];
  } = {},
): Promise<EmailKit> {
  const [dovecot, smtp] = await Promise.all([startDovecot(), startSmtpCapture()]);
  const app = await startTestApp({
    env: options.env,
    adapters: () => [
      new EmailAdapter(
        emailSettingsFor(dovecot, { smtp, trustedAuthservIds: options.trustedAuthservIds }),
        createLogger(process.env.TEST_LOG ?? 'silent'),
        {
          idleDelayMs: 100,
          pollIntervalMs: 2000,
        },
      ),
    ],
    settings: { messageIdDomain: 'example.test', ...options.settings },
  });
  let customers = 0;
  const waitFor = async <T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return {
    dovecot,
    smtp,
    app,
    waitFor,
    async deliver(raw) {
      await dovecot.appendMessage(DEFAULT_DOVECOT_USER.user, DEFAULT_DOVECOT_USER.password, raw);
    },
    async newCustomer() {
      customers++;
      const address = `cliente${customers}.${Date.now()}@cliente.example`;
      await createCustomer(
        app.core,
        { name: `Cliente ${customers}`, status: 'active', identities: [{ kind: 'email', address }] },
        'test',
      );
      return address;
    },
    async inbound(where = 'true', params = []) {
      const { rows } = await app.database.sql.query<InboundRow>(
        `select id::text, ticket_id::text, customer_id::text, disposition, disposition_reason, external_id,
           new_text from messages where direction = 'inbound' and (${where}) order by id`,
        params,
      );
      return rows;
    },
    async close() {
      await app.close();
      await Promise.all([dovecot.stop(), smtp.stop()]);
    },
  };
}
