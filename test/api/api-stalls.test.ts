import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../src/core/customers.js';
import { stallLimitMs, withEventLoopDelay } from '../helpers/event-loop-delay.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { inbound, TestChannel } from '../helpers/test-channel.js';

/**
 * No API body stalls the event loop (issue 17 item 1): bodies up to the 256 KB limit of /api/v1 shaped to cost
 * the most (nesting 120,000 deep, 15,000 keys, 5,000 identities, 250 KB of text or of NULs)
 * and one over the limit, each answered with a 4xx naming the problem, under monitorEventLoopDelay.
 */
let app: TestApp;
const channel = new TestChannel();
let ticket = 0;

beforeAll(async () => {
  app = await startTestApp({ adapters: () => [channel] });
  await createCustomer(
    app.core,
    { name: 'Corpi', status: 'active', identities: [{ kind: 'test', address: 'corpi@example.test' }] },
    'test',
  );
  const outcome = await app.channelContext.ingest(inbound({ from: 'corpi@example.test' }));
  if (outcome.status !== 'new_ticket') throw new Error(outcome.status);
  ticket = outcome.ticketNumber;
});
afterAll(async () => {
  await app.close();
});

function post(path: string, body: string) {
  return fetch(`${app.url}/api/v1${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${app.apiToken}`, 'content-type': 'application/json' },
    body,
  });
}

describe('API bodies at the limit', () => {
  it('answers each costly body (a 4xx naming the field, 413 over the limit, or stored) without stalling', async () => {
    const depth = 120_000;
    const keys = Array.from({ length: 15_000 }, (_, i) => `"k${i}":${i}`).join(',');
    const identities = Array.from(
      { length: 5_000 },
      (_, i) => `{"kind":"email","address":"u${i}@example.org"}`,
    );
    const bodies: Array<{ path: string; body: string; status: number; names?: RegExp }> = [
      {
        path: `/tickets/${ticket}/messages`,
        body: `{"author":"Tecnico","text":${'['.repeat(depth)}${']'.repeat(depth)}}`,
        status: 400,
        names: /nested deeper than 64 levels/,
      },
      { path: `/tickets/${ticket}/messages`, body: `{"author":"Tecnico","text":"ok",${keys}}`, status: 201 },
      {
        path: `/tickets/${ticket}/messages`,
        body: JSON.stringify({ author: 'Tecnico', text: 'x'.repeat(250_000) }),
        status: 400,
        names: /text/,
      },
      {
        path: `/tickets/${ticket}/messages`,
        body: JSON.stringify({ author: 'Tecnico', text: '\u0000'.repeat(40_000) }),
        status: 400,
        names: /text/,
      },
      {
        path: '/customers',
        body: `{"name":"Molti","identities":[${identities.join(',')}]}`,
        status: 400,
        names: /identities/,
      },
      {
        path: `/tickets/${ticket}/messages`,
        body: `{"author":"T","text":"${'y'.repeat(300_000)}"}`,
        status: 413,
      },
    ];
    for (const { body } of bodies) expect(body.length).toBeGreaterThan(200_000);
    const { result, maxDelayMs } = await withEventLoopDelay(async () => {
      const answers: Array<{ status: number; text: string }> = [];
      for (const { path, body } of bodies) {
        const response = await post(path, body);
        answers.push({ status: response.status, text: await response.text() });
      }
      return answers;
    });
    console.log(
      `API bodies at the limit: longest event-loop delay ${maxDelayMs.toFixed(0)} ms (limit ${stallLimitMs()} ms)`,
    );
    bodies.forEach((expected, i) => {
      expect(result[i]!.status, `body ${i}: ${result[i]!.text.slice(0, 200)}`).toBe(expected.status);
      if (expected.names) expect(result[i]!.text.slice(0, 2000)).toMatch(expected.names);
    });
    expect(maxDelayMs).toBeLessThan(stallLimitMs());
  });
});

describe('assertJsonDepth', () => {
  it('counts only brackets outside strings, escaped quotes included', async () => {
    const { assertJsonDepth } = await import('../../src/api/json-depth.js');
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    expect(() => assertJsonDepth(deep(64))).not.toThrow();
    expect(() => assertJsonDepth(deep(65))).toThrow(/nested deeper than 64 levels/);
    expect(() => assertJsonDepth(JSON.stringify({ text: `${'['.repeat(500)}"\\"{{{{` }))).not.toThrow();
    expect(() => assertJsonDepth(`{"a":"\\\\",${deep(70).slice(1)}`)).toThrow(/deeper/);
  });
});
