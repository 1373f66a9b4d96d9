/**
 * Child process for crash tests: opens the store given in HELPDESK_TEST_STORE, ingests one message
 * with delivery workers off (so the acknowledgement is committed but not sent), says COMMITTED on
 * stdout and waits to be killed.
 */
import { createCustomer } from '../../src/core/customers.js';
import { startTestApp } from './test-app.js';
import { inbound, TestChannel } from './test-channel.js';

const store = JSON.parse(process.env.HELPDESK_TEST_STORE ?? '{}') as { dataDir: string; databaseUrl?: string };
const address = process.env.HELPDESK_TEST_ADDRESS ?? 'crash@example.test';
const app = await startTestApp({
  store: { ...store, drop: async () => {} },
  adapters: () => [new TestChannel()],
  workers: false,
});
await createCustomer(app.core, { name: 'Crash', status: 'active', identities: [{ kind: 'test', address }] }, 'test');
const outcome = await app.channelContext.ingest(inbound({ from: address }));
process.stdout.write(`COMMITTED ${JSON.stringify(outcome)}\n`);
setInterval(() => {}, 1000);
