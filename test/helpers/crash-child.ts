/**
 * Child process for crash tests: opens the store given in HELPDESK_TEST_STORE, ingests one message,
 * says COMMITTED on stdout (and SENDING when a send starts) and waits to be killed.
 */
import { createCustomer } from '../../src/core/customers.js';
import { startTestApp } from './test-app.js';
import { inbound, TestChannel } from './test-channel.js';

const store = JSON.parse(process.env.HELPDESK_TEST_STORE ?? '{}') as {
  dataDir: string;
  databaseUrl?: string;
};
const address = process.env.HELPDESK_TEST_ADDRESS ?? 'crash@example.test';
// 'before-send': workers off, so the acknowledgement is committed and never sent.
// 'mid-send': the channel's send never returns, so the process dies with the job in flight.
const midSend = process.env.HELPDESK_TEST_CRASH === 'mid-send';
class HangingChannel extends TestChannel {
  override async send(): Promise<never> {
    process.stdout.write('SENDING\n');
    return new Promise<never>(() => {});
  }
}
const app = await startTestApp({
  store: { ...store, drop: async () => {} },
  adapters: () => [midSend ? new HangingChannel() : new TestChannel()],
  workers: midSend,
});
await createCustomer(
  app.core,
  { name: 'Crash', status: 'active', identities: [{ kind: 'test', address }] },
  'test',
);
const outcome = await app.channelContext.ingest(inbound({ from: address }));
process.stdout.write(`COMMITTED ${JSON.stringify(outcome)}\n`);
setInterval(() => {}, 1000);
