/**
 * Child process for the email crash test: ingests the Dovecot mailbox given in the environment
 * into the store given in HELPDESK_TEST_STORE, printing `INGESTED <n>` as it goes, until killed.
 */
import { EmailAdapter } from '../../src/channels/email/email-adapter.js';
import { createLogger } from '../../src/logger.js';
import { emailSettingsFor } from './email-settings.js';
import { startTestApp } from './test-app.js';

const store = JSON.parse(process.env.HELPDESK_TEST_STORE ?? '{}') as {
  dataDir: string;
  databaseUrl?: string;
};
const imap = JSON.parse(process.env.HELPDESK_TEST_IMAP ?? '{}') as { host: string; port: number };
let adapter: EmailAdapter | undefined;
await startTestApp({
  store: { ...store, drop: async () => {} },
  workers: false,
  adapters: () => {
    adapter = new EmailAdapter(emailSettingsFor(imap), createLogger('silent'), {
      batchSize: 20,
      idleDelayMs: 100,
    });
    return [adapter];
  },
});
setInterval(() => process.stdout.write(`INGESTED ${adapter?.ingester.stats.ingested ?? 0}\n`), 20);
