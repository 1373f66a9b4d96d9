import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../src/core/customers.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { inbound, TestChannel } from '../helpers/test-channel.js';

let app: TestApp;
let clock = new Date('2026-04-02T10:00:00Z');

// biome-ignore lint/suspicious/noExplicitAny: assertions walk arbitrary response shapes
type Json = Record<string, any>;

beforeAll(async () => {
  const channel = new TestChannel();
  app = await startTestApp({ adapters: () => [channel], now: () => clock });
});
afterAll(async () => {
  await app.close();
});

describe('a month exported for invoicing', () => {
  it('a prepaid package bought after the export does not pay for work already invoiced', async () => {
    const customer = await createCustomer(
      app.core,
      {
        name: 'Blu Srl',
        locale: 'it',
        status: 'active',
        identities: [{ kind: 'test', address: 'blu@example.test' }],
      },
      'test',
    );
    const outcome = await app.channelContext.ingest(
      inbound({ from: 'blu@example.test', newText: 'Rete giù' }),
    );
    if (outcome.status !== 'new_ticket') throw new Error('expected a ticket');
    await app.api(`/tickets/${outcome.ticketNumber}/time`, {
      body: { technician: 'Luca', minutes: 60, startedAt: '2026-03-03T08:00:00Z' },
    });
    const march = async () => (await (await app.api('/reports/hours?month=2026-03')).json()) as Json;
    expect(
      (await app.api('/reports/hours/export', { body: { month: '2026-03', author: 'Titolare' } })).status,
    ).toBe(200);
    expect((await march()).netCents).toBe(3000);

    clock = new Date('2026-04-03T10:00:00Z');
    const bought = await app.api(`/customers/${customer.id}/prepaid`, {
      body: { minutes: 60, validFrom: '2026-01-01', validUntil: '2026-12-31' },
    });
    expect(bought.status).toBe(201);
    // March was invoiced at € 30,00: it stays so, and the new hour is still all there.
    expect((await march()).netCents).toBe(3000);
    expect(((await bought.json()) as Json).prepaid[0]).toMatchObject({ minutes: 60, minutesLeft: 60 });
  });

  it('a billed month keeps its prices when the rate changes; a late entry is shown apart and billed alone', async () => {
    const customer = await createCustomer(
      app.core,
      {
        name: 'Verde Srl',
        locale: 'it',
        status: 'active',
        identities: [{ kind: 'test', address: 'verde@example.test' }],
      },
      'test',
    );
    const outcome = await app.channelContext.ingest(
      inbound({ from: 'verde@example.test', newText: 'Stampante' }),
    );
    if (outcome.status !== 'new_ticket') throw new Error('expected a ticket');
    await app.api(`/tickets/${outcome.ticketNumber}/time`, {
      body: { technician: 'Luca', minutes: 60, startedAt: '2026-03-05T08:00:00Z' },
    });
    const march = async () =>
      ((await (await app.api(`/reports/hours?month=2026-03&customerId=${customer.id}`)).json()) as Json)
        .customers[0] as Json;
    const exported = await app.api('/reports/hours/export', {
      body: { month: '2026-03', customerId: Number(customer.id), author: 'Titolare' },
    });
    expect(exported.status).toBe(200);
    const put = await app.api(`/customers/${customer.id}/contract`, {
      method: 'PUT',
      body: { hourlyRateCents: 6000, rounding: { mode: 'none' } },
    });
    expect(put.status).toBe(200);
    // Invoiced at € 30,00: the new rate does not re-price it.
    let c = await march();
    expect(c.netCents).toBe(3000);
    expect(c.tickets).toHaveLength(1);
    expect(c.tickets[0]).toMatchObject({ billed: true, bill: { hourlyRateCents: 3000, netCents: 3000 } });

    // A late entry dated in March: a separate, not billed line at today's rate.
    await app.api(`/tickets/${outcome.ticketNumber}/time`, {
      body: { technician: 'Luca', minutes: 30, startedAt: '2026-03-20T08:00:00Z' },
    });
    c = await march();
    expect(c.tickets).toHaveLength(2);
    expect(c.tickets[0]).toMatchObject({ billed: true, bill: { rawMinutes: 60, netCents: 3000 } });
    expect(c.tickets[1]).toMatchObject({ billed: false, bill: { rawMinutes: 30, netCents: 3000 } });
    expect(c.notYetBilled).toMatchObject({ netCents: 3000, vatCents: 660, totalCents: 3660 });

    // The next export bills only the late entry.
    const again = await app.api('/reports/hours/export', {
      body: { month: '2026-03', customerId: Number(customer.id), author: 'Titolare' },
    });
    expect(((await again.json()) as Json).entries).toBe(1);
    c = await march();
    expect(c.tickets.map((t: Json) => [t.billed, t.bill.netCents])).toEqual([
      [true, 3000],
      [true, 3000],
    ]);
    expect(c.notYetBilled).toBeNull();
    expect(c.netCents).toBe(6000);
  });
});
