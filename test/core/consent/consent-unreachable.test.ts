import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../../src/core/customers.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { inbound, TestChannel } from '../../helpers/test-channel.js';

/**
 * Asking consent of a customer who cannot be reached now: refused at once with the reason (409),
 * never a 201 followed by a silent expiry. Only the test channel runs here.
 */
let app: TestApp;
let n = 0;

beforeAll(async () => {
  app = await startTestApp({ adapters: () => [new TestChannel()] });
});
afterAll(async () => {
  await app.close();
});

async function ticketOn(
  channel: 'test' | 'telegram',
  identities: Array<{ kind: 'test' | 'telegram' | 'email'; address: string }>,
) {
  n++;
  await createCustomer(
    app.core,
    {
      name: `Cliente ${n}`,
      locale: 'it',
      status: 'active',
      quickAccess: false,
      acceptedTermsVersion: '2026-01',
      identities,
    },
    'test',
  );
  const first = identities[0]!;
  const outcome = await app.channelContext.ingest({
    ...inbound({ from: first.address, subject: 'PC lento' }),
    channel,
    sender: { kind: first.kind, address: first.address },
  });
  if (outcome.status !== 'new_ticket') throw new Error(outcome.status);
  return outcome.ticketNumber;
}

const ask = (number: number) =>
  app.api(`/tickets/${number}/consents`, { method: 'POST', body: { technician: 'Luca' } });

async function requested(number: number) {
  const { consents } = (await (await app.api(`/tickets/${number}/consents`)).json()) as {
    consents: Array<{ event: string }>;
  };
  return consents.filter((c) => c.event === 'requested').length;
}

describe('consent asked of a customer who cannot be reached', () => {
  it("the customer's channel is not running: 409 with the reason, nothing asked", async () => {
    const number = await ticketOn('telegram', [{ kind: 'telegram', address: `9000${n + 1}` }]);
    const response = await ask(number);
    expect(response.status).toBe(409);
    expect(JSON.stringify(await response.json())).toContain('telegram');
    expect(await requested(number)).toBe(0);
  });

  it("no identity on the ticket's channel: 409 with the reason, nothing asked", async () => {
    const number = await ticketOn('test', [{ kind: 'email', address: `nobody${n + 1}@example.test` }]);
    const response = await ask(number);
    expect(response.status).toBe(409);
    expect(JSON.stringify(await response.json())).toMatch(/identit/);
    expect(await requested(number)).toBe(0);
  });

  it('a reachable customer is asked (201)', async () => {
    const number = await ticketOn('test', [{ kind: 'test', address: `reach${n + 1}@example.test` }]);
    expect((await ask(number)).status).toBe(201);
  });
});
