import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../src/core/customers.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { inbound, TestChannel } from '../helpers/test-channel.js';

let app: TestApp;
let channel: TestChannel;
// Monday 2 March 2026, 11:00 in Rome.
const clock = new Date('2026-03-02T10:00:00Z');

// biome-ignore lint/suspicious/noExplicitAny: assertions walk arbitrary response shapes
type Json = Record<string, any>;
async function body(response: Response): Promise<Json> {
  return (await response.json()) as Json;
}

async function customerWithTicket(name: string, address: string) {
  const customer = await createCustomer(
    app.core,
    { name, locale: 'it', status: 'active', identities: [{ kind: 'test', address }] },
    'test',
  );
  const outcome = await app.channelContext.ingest(inbound({ from: address, newText: 'Il PC non parte' }));
  if (outcome.status !== 'new_ticket') throw new Error('expected a ticket');
  return { customerId: customer.id.toString(), number: outcome.ticketNumber };
}

beforeAll(async () => {
  channel = new TestChannel();
  app = await startTestApp({ adapters: () => [channel], now: () => clock });
});
afterAll(async () => {
  await app.close();
});

describe('time entries, summary, contracts, report and export over the API', () => {
  it('1 h 30 min remote at the default rate: € 45,00 + IVA € 9,90 = € 54,90, and the customer gets the summary on resolve', async () => {
    const { number } = await customerWithTicket('Verdi Snc', 'verdi@example.test');
    const logged = await app.api(`/tickets/${number}/time`, {
      body: {
        technician: 'Luca',
        minutes: '1h30',
        startedAt: '2026-03-02T08:00:00Z',
        note: 'reinstallato driver',
      },
    });
    expect(logged.status).toBe(201);
    expect((await body(logged)).entry).toMatchObject({
      minutes: 90,
      kind: 'remote',
      billable: true,
      status: 'confirmed',
    });

    const bad = await app.api(`/tickets/${number}/time`, { body: { technician: 'Luca', minutes: 'tanto' } });
    expect(bad.status).toBe(400);
    expect(Object.keys((await body(bad)).fields)).toContain('minutes');

    const time = await body(await app.api(`/tickets/${number}/time`));
    expect(time.bill).toMatchObject({ rawMinutes: 90, netCents: 4500, vatCents: 990, totalCents: 5490 });

    const resolved = await app.api(`/tickets/${number}/status`, {
      body: { status: 'resolved', author: 'Luca' },
    });
    expect(resolved.status).toBe(200);
    await app.settle();
    const summary = channel.sentTo('verdi@example.test').at(-1)!;
    expect(summary.text).toContain(`Riepilogo ore del ticket n. ${number}`);
    expect(summary.text).toContain('- 02/03/2026, da remoto: 1 h 30 min');
    expect(summary.text).toContain("Tariffa: € 30,00 l'ora + IVA, su 1 h 30 min");
    expect(summary.text).toContain('Imponibile: € 45,00\nIVA 22%: € 9,90\nTotale: € 54,90');
    const { rows } = await app.database.sql.query<{ text: string }>(
      "select text from staff_alerts where kind = 'hour_summary'",
    );
    expect(rows.at(-1)!.text).toContain('Totale: € 54,90');
  });

  it('technicians correct and delete only their own entries', async () => {
    const { number } = await customerWithTicket('Neri', 'neri@example.test');
    const { entry } = await body(
      await app.api(`/tickets/${number}/time`, { body: { technician: 'Luca', minutes: 45, kind: 'phone' } }),
    );
    const other = await app.api(`/tickets/${number}/time/${entry.id}`, {
      method: 'PATCH',
      body: { technician: 'Anna', minutes: 30 },
    });
    expect(other.status).toBe(403);
    const own = await app.api(`/tickets/${number}/time/${entry.id}`, {
      method: 'PATCH',
      body: { technician: 'Luca', minutes: '0:30', billable: false },
    });
    expect(own.status).toBe(200);
    expect((await body(own)).entry).toMatchObject({ minutes: 30, billable: false });
    expect(
      (await app.api(`/tickets/${number}/time/${entry.id}?technician=Anna`, { method: 'DELETE' })).status,
    ).toBe(403);
    expect(
      (await app.api(`/tickets/${number}/time/${entry.id}?technician=Luca`, { method: 'DELETE' })).status,
    ).toBe(204);
    expect((await body(await app.api(`/tickets/${number}/time`))).entries).toEqual([]);
  });

  it('a contract sets rate, rounding and prepaid hours; the CSV report parses back to the JSON report; export locks entries', async () => {
    const { customerId, number } = await customerWithTicket('Bianchi Srl', 'bianchi@example.test');
    const put = await app.api(`/customers/${customerId}/contract`, {
      method: 'PUT',
      body: {
        hourlyRateCents: 4000,
        rounding: { mode: 'block', minutes: 15, scope: 'ticket' },
        minimumMinutes: 30,
      },
    });
    expect(put.status).toBe(200);
    const prepaid = await app.api(`/customers/${customerId}/prepaid`, {
      body: { minutes: '1h', validFrom: '2026-01-01', validUntil: '2026-12-31' },
    });
    expect(prepaid.status).toBe(201);
    // Work already done (a start more than 1 h ahead of the clock is refused).
    for (const [minutes, at] of [
      [50, '2026-03-02T07:00:00Z'],
      [20, '2026-03-02T08:00:00Z'],
    ] as const) {
      await app.api(`/tickets/${number}/time`, { body: { technician: 'Anna', minutes, startedAt: at } });
    }
    const contract = await body(await app.api(`/customers/${customerId}/contract`));
    expect(contract).toMatchObject({
      effectiveHourlyRateCents: 4000,
      rounding: { mode: 'block', minutes: 15, scope: 'ticket' },
    });
    // 70 min → 75 billed; 60 prepaid; 15 min at €40/h = €10,00 net.
    expect(contract.prepaid[0]).toMatchObject({ minutes: 60, minutesLeft: 0 });

    const report = await body(await app.api(`/reports/hours?month=2026-03&customerId=${customerId}`));
    expect(report.customers[0].tickets[0].bill).toMatchObject({
      billedMinutes: 75,
      prepaidMinutes: 60,
      netCents: 1000,
    });
    expect(report.customers[0]).toMatchObject({ netCents: 1000, vatCents: 220, totalCents: 1220 });

    const csvResponse = await app.api('/reports/hours?month=2026-03&format=csv');
    expect(csvResponse.headers.get('content-type')).toMatch(/^text\/csv/);
    const bytes = new Uint8Array(await csvResponse.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const all = await body(await app.api('/reports/hours?month=2026-03'));
    const rows: string[][] = parse(new TextDecoder().decode(bytes), { bom: true, delimiter: ';' });
    const cents = (text: string) => Math.round(Number(text.replace(',', '.')) * 100);
    expect(rows[0]![0]).toBe('Cliente');
    const ticketRows = rows.slice(1).filter((r) => /^\d+$/.test(r[1]!));
    const expected = all.customers.flatMap((c: Json) =>
      c.tickets.map((t: Json) => [
        c.name,
        t.ticketNumber,
        t.bill.rawMinutes,
        t.bill.billedMinutes,
        t.bill.netCents,
        t.billed ? 'sì' : 'no',
      ]),
    );
    expect(
      ticketRows.map((r) => [r[0], Number(r[1]), Number(r[3]), Number(r[4]), cents(r[9]!), r[12]]),
    ).toEqual(expected);
    const total = rows.at(-1)!;
    expect([total[0], cents(total[9]!), cents(total[10]!), cents(total[11]!)]).toEqual([
      'Totale',
      all.netCents,
      all.vatCents,
      all.totalCents,
    ]);

    const exported = await app.api('/reports/hours/export', {
      body: { month: '2026-03', customerId: Number(customerId), author: 'Anna' },
    });
    expect(exported.status).toBe(200);
    const exportBody = await body(exported);
    expect(exportBody.entries).toBe(2);
    // The report it returns is the month as it is after the export: every line billed.
    expect(exportBody.report.customers[0].tickets.map((t: Json) => t.billed)).toEqual([true]);
    expect(exportBody.report.customers[0].notYetBilled).toBeNull();
    expect(exportBody.report.customers[0]).toMatchObject({ netCents: 1000, totalCents: 1220 });
    const { entries } = await body(await app.api(`/tickets/${number}/time`));
    expect(entries.every((e: Json) => e.billedAt)).toBe(true);
    const locked = await app.api(`/tickets/${number}/time/${entries[0].id}`, {
      method: 'PATCH',
      body: { technician: 'Anna', minutes: 10 },
    });
    expect(locked.status).toBe(409);
    expect(
      (await app.api(`/tickets/${number}/time/${entries[0].id}?technician=Anna`, { method: 'DELETE' }))
        .status,
    ).toBe(409);
    // The database refuses too, whoever asks.
    await expect(
      app.database.sql.query('update time_entries set minutes = 1 where id = $1', [entries[0].id]),
    ).rejects.toThrow(/billed and cannot change/);
    await expect(
      app.database.sql.query('delete from time_entries where id = $1', [entries[0].id]),
    ).rejects.toThrow(/billed and cannot change/);
    const again = await body(await app.api(`/reports/hours?month=2026-03&customerId=${customerId}`));
    expect(again.customers[0].tickets[0].billed).toBe(true);
    const billedCsv = await (
      await app.api(`/reports/hours?month=2026-03&customerId=${customerId}&format=csv`)
    ).text();
    const billedRows: string[][] = parse(billedCsv, { bom: true, delimiter: ';' });
    expect(billedRows.filter((r) => /^\d+$/.test(r[1]!)).map((r) => r[12])).toEqual(
      again.customers[0].tickets.map((t: Json) => (t.billed ? 'sì' : 'no')),
    );
    expect(billedRows.some((r) => r[1] === 'Da fatturare')).toBe(again.customers[0].notYetBilled !== null);
  });
  it('reopened and resolved again: the same summary is not sent twice, a changed one is', async () => {
    const { number } = await customerWithTicket('Gialli', 'gialli@example.test');
    await app.api(`/tickets/${number}/time`, {
      body: { technician: 'Luca', minutes: 30, startedAt: '2026-03-02T08:00:00Z' },
    });
    const setStatus = (status: string) =>
      app.api(`/tickets/${number}/status`, { body: { status, author: 'Luca' } });
    const summaries = () =>
      channel.sentTo('gialli@example.test').filter((m) => m.text.includes('Riepilogo ore del ticket'));
    expect((await setStatus('resolved')).status).toBe(200);
    expect((await setStatus('open')).status).toBe(200);
    expect((await setStatus('resolved')).status).toBe(200);
    await app.settle();
    expect(summaries()).toHaveLength(1);

    await setStatus('open');
    await app.api(`/tickets/${number}/time`, {
      body: { technician: 'Luca', minutes: 15, startedAt: '2026-03-02T09:00:00Z' },
    });
    await setStatus('resolved');
    await app.settle();
    expect(summaries()).toHaveLength(2);
    expect(summaries().at(-1)!.text).toContain('Tempo totale: 45 min');
  });
});
