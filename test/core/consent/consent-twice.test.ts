import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerConsentButton } from '../../../src/core/consent/consent-buttons.js';
import type { RemoteSessionEnded } from '../../../src/core/core-context.js';
import { createCustomer } from '../../../src/core/customers.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { inbound, TestChannel } from '../../helpers/test-channel.js';

/**
 * Doing a consent step twice (terms T4, T5): a second STOP, a second session start, both at once
 * or one after the other, leave one evidence row, one alert and one billed session.
 */
let app: TestApp;
let channel: TestChannel;
let n = 0;
const ended: RemoteSessionEnded[] = [];

beforeAll(async () => {
  channel = new TestChannel();
  app = await startTestApp({ adapters: () => [channel] });
  app.core.onRemoteSessionEnded?.add((event) => ended.push(event));
});
afterAll(async () => {
  await app.close();
});

/** A quick-access customer whose ticket has a granted consent with credentials handed over. */
async function granted() {
  n++;
  const address = `twice${n}@example.test`;
  await createCustomer(
    app.core,
    {
      name: `Cliente ${n}`,
      locale: 'it',
      status: 'active',
      quickAccess: true,
      acceptedTermsVersion: '2026-01',
      identities: [{ kind: 'test', address }],
    },
    'test',
  );
  const outcome = await app.channelContext.ingest(inbound({ from: address, subject: 'PC lento' }));
  if (outcome.status !== 'new_ticket') throw new Error(outcome.status);
  const number = outcome.ticketNumber;
  const asked = await app.api(`/tickets/${number}/consents`, {
    method: 'POST',
    body: { technician: 'Luca' },
  });
  expect(asked.status).toBe(201);
  const requestId = String(((await asked.json()) as { consent: { id: string } }).consent.id);
  await say(address, number, 'sì');
  await say(address, number, 'RustDesk 987 654 321 pwd Pioggia77');
  await app.settle();
  return { address, number, requestId };
}

const say = (from: string, number: number, text: string) =>
  app.channelContext.ingest(
    inbound({ from, newText: text, fullText: text, thread: { ticketNumber: number } }),
  );

const session = (number: number, action: 'start' | 'end') =>
  app.api(`/tickets/${number}/remote-session`, { method: 'POST', body: { technician: 'Luca', action } });

async function events(number: number, event: string) {
  const response = await app.api(`/tickets/${number}/consents`);
  const { consents } = (await response.json()) as { consents: Array<{ event: string }> };
  return consents.filter((c) => c.event === event).length;
}

async function alerts(number: number, kind: string) {
  const { alerts } = (await (await app.api('/alerts')).json()) as {
    alerts: Array<{ kind: string; text: string }>;
  };
  return alerts.filter((a) => a.kind === kind && a.text.includes(`#${number}`)).length;
}

describe('consent steps done twice', () => {
  it('STOP twice during a session: one revocation, one alert, one billed session; the second is a message', async () => {
    const { address, number } = await granted();
    expect((await session(number, 'start')).status).toBe(200);
    await say(address, number, 'STOP');
    await say(address, number, 'STOP');
    await app.settle();
    expect(await events(number, 'revoked')).toBe(1);
    expect(await alerts(number, 'consent_revoked')).toBe(1);
    expect(ended.filter((e) => e.ticketNumber === number)).toHaveLength(1);
    const { rows } = await app.database.sql.query(
      "select 1 from messages m join tickets t on t.id = m.ticket_id where t.number = $1 and m.full_text = 'STOP'",
      [number],
    );
    expect(rows).toHaveLength(2);
  });

  it('the STOP button pressed twice at once, then STOP written: one revocation', async () => {
    const { address, number, requestId } = await granted();
    expect((await session(number, 'start')).status).toBe(200);
    const press = () =>
      answerConsentButton(app.core, { requestId, answer: 'stop', sender: { kind: 'test', address } });
    const outcomes = await Promise.all([press(), press()]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['revoked', 'stale']);
    await say(address, number, 'STOP');
    await app.settle();
    expect(await events(number, 'revoked')).toBe(1);
    expect(await alerts(number, 'consent_revoked')).toBe(1);
    expect(ended.filter((e) => e.ticketNumber === number)).toHaveLength(1);
  });

  it('starting a session twice: the second is refused (409), one start row, one notice', async () => {
    const { address, number } = await granted();
    const before = channel.sentTo(address).length;
    const statuses = await Promise.all([session(number, 'start'), session(number, 'start')]);
    expect(statuses.map((r) => r.status).sort()).toEqual([200, 409]);
    expect((await session(number, 'start')).status).toBe(409);
    await app.settle();
    expect(await events(number, 'session_started')).toBe(1);
    const notices = channel
      .sentTo(address)
      .slice(before)
      .filter((m) => m.text.includes('ha iniziato'));
    expect(notices).toHaveLength(1);
    expect((await session(number, 'end')).status).toBe(200);
    expect((await session(number, 'end')).status).toBe(409);
    expect(ended.filter((e) => e.ticketNumber === number)).toHaveLength(1);
  });
});
