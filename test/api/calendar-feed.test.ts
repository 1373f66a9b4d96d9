import ICAL, { type VEvent } from 'node-ical';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../src/core/customers.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { inbound, TestChannel } from '../helpers/test-channel.js';

const cet = (date: string, time: string) => new Date(`${date}T${time}:00+01:00`);

let app: TestApp;
const clock = cet('2026-11-30', '10:00');
const channel = new TestChannel();

beforeAll(async () => {
  app = await startTestApp({ adapters: () => [channel], now: () => clock });
});
afterAll(async () => {
  await app.close();
});

async function book(address: string, technician: string, slot: number) {
  await createCustomer(
    app.core,
    { name: `Cliente ${address}`, status: 'active', identities: [{ kind: 'test', address }] },
    'test',
  );
  const opened = await app.channelContext.ingest(inbound({ from: address, subject: `Guasto ${address}` }));
  if (opened.status !== 'new_ticket') throw new Error(opened.status);
  await app.api(`/tickets/${opened.ticketNumber}/proposals`, { body: { technician } });
  const res = await app.api(`/tickets/${opened.ticketNumber}/bookings`, { body: { number: slot } });
  expect(((await res.json()) as { status: string }).status).toBe('booked');
  return opened.ticketNumber;
}

describe("a technician's private ICS feed", () => {
  it('lists only their booked appointments at the right instants; a wrong or replaced token gets 404', async () => {
    const mine = await book('feed1@example.test', 'marco', 1); // Monday 30 November 15:00
    await book('feed2@example.test', 'giulia', 2);
    const created = await app.api('/calendar-feeds', { body: { technician: 'marco' } });
    expect(created.status).toBe(201);
    const { url } = (await created.json()) as { url: string };
    const path = new URL(url).pathname;
    expect(path).toMatch(/^\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);

    const res = await fetch(`${app.url}${path}`); // no API token: the URL is the secret
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/calendar');
    const text = await res.text();
    expect(text).toMatch(/^METHOD:PUBLISH\r?$/m);
    const events = Object.values(ICAL.sync.parseICS(text)).filter((c) => c?.type === 'VEVENT') as VEvent[];
    expect(events).toHaveLength(1);
    expect(events[0]!.start.toISOString()).toBe(cet('2026-11-30', '15:00').toISOString());
    expect(String(events[0]!.summary)).toContain(`#${mine}`);

    expect((await fetch(`${app.url}/calendar/${'x'.repeat(43)}.ics`)).status).toBe(404);
    await app.api('/calendar-feeds', { body: { technician: 'marco' } }); // a new token replaces the old
    expect((await fetch(`${app.url}${path}`)).status).toBe(404);
  });
});
