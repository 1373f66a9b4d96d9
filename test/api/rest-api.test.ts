import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { inbound, TestChannel } from '../helpers/test-channel.js';

let app: TestApp;
let channel: TestChannel;

beforeAll(async () => {
  channel = new TestChannel();
  app = await startTestApp({ adapters: () => [channel] });
});
afterAll(async () => {
  await app.close();
});

async function json(response: Response) {
  // biome-ignore lint/suspicious/noExplicitAny: assertions walk arbitrary response shapes
  return (await response.json()) as Record<string, any>;
}

describe('REST API', () => {
  it('reports health of the store and the queue without a token', async () => {
    const response = await fetch(`${app.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', database: 'ok', queue: 'ok' });
  });

  it('refuses requests without or with a wrong token', async () => {
    expect((await app.api('/tickets', { token: null })).status).toBe(401);
    expect((await app.api('/tickets', { token: 'wrong-token-wrong-token' })).status).toBe(401);
    expect((await app.api('/customers', { token: 'x', body: { name: 'a' } })).status).toBe(401);
    expect((await app.api('/tickets')).status).toBe(200);
  });

  it('creates, lists and activates customers, with field errors for bad input', async () => {
    const bad = await app.api('/customers', {
      body: { name: '', identities: [{ kind: 'email', address: 'not-an-address' }], vatNumber: '123' },
    });
    expect(bad.status).toBe(400);
    const errors = await json(bad);
    expect(Object.keys(errors.fields)).toEqual(
      expect.arrayContaining(['name', 'vatNumber', 'identities.0.address']),
    );

    const created = await app.api('/customers', {
      body: {
        name: 'Rossi Srl',
        kind: 'company',
        vatNumber: '01234567890',
        identities: [{ kind: 'email', address: 'Mario.Rossi@Example.test' }],
        quickAccess: true,
      },
    });
    expect(created.status).toBe(201);
    const { customer } = await json(created);
    expect(customer).toMatchObject({ status: 'pending', quickAccess: true });
    expect(customer.identities[0]).toMatchObject({ kind: 'email', address: 'mario.rossi@example.test' });

    const duplicate = await app.api('/customers', {
      body: { name: 'Other', identities: [{ kind: 'email', address: 'mario.rossi@example.test' }] },
    });
    expect(duplicate.status).toBe(409);
    // The same address twice in one body (letter case aside) is a conflict too, not a store error.
    const twice = await app.api('/customers', {
      body: {
        name: 'Twice',
        identities: [
          { kind: 'email', address: 'doppio@example.test' },
          { kind: 'email', address: 'Doppio@Example.test' },
        ],
      },
    });
    expect(twice.status).toBe(409);
    expect((await json(twice)).message).toMatch(/listed twice/);
    // Identities the channels could never match are refused with the field named.
    const unmatchable = await app.api('/customers', {
      body: {
        name: 'Chat',
        identities: [
          { kind: 'telegram', address: '@luca' },
          { kind: 'slack', address: 'luca' },
        ],
      },
    });
    expect(unmatchable.status).toBe(400);
    expect(Object.keys((await json(unmatchable)).fields)).toEqual(
      expect.arrayContaining(['identities.0.address', 'identities.1.address']),
    );

    const activated = await app.api(`/customers/${customer.id}/activate`, { method: 'POST' });
    expect(activated.status).toBe(200);
    expect((await json(activated)).customer.status).toBe('active');
    expect((await app.api('/customers/999999/activate', { method: 'POST' })).status).toBe(404);

    const list = await json(await app.api('/customers'));
    expect(list.customers.map((c: { name: string }) => c.name)).toContain('Rossi Srl');
  });

  it('lists and shows tickets, posts replies and notes, and refuses bad status changes', async () => {
    const created = await json(
      await app.api('/customers', {
        body: {
          name: 'Bianchi',
          status: 'active',
          identities: [{ kind: 'email', address: 'bianchi@example.test' }],
        },
      }),
    );
    const outcome = await app.channelContext.ingest(
      inbound({
        from: 'bianchi@example.test',
        sender: { kind: 'email', address: 'bianchi@example.test' },
        newText: 'PC lento',
      }),
    );
    if (outcome.status !== 'new_ticket') throw new Error('expected a ticket');
    const number = outcome.ticketNumber;

    const list = await json(await app.api(`/tickets?status=open&customerId=${created.customer.id}`));
    expect(list.tickets.map((t: { number: number }) => t.number)).toEqual([number]);
    expect((await app.api('/tickets?status=bogus')).status).toBe(400);

    const reply = await app.api(`/tickets/${number}/messages`, {
      body: { author: 'Luca', text: 'Domani alle 10 va bene?', status: 'waiting_customer' },
    });
    expect(reply.status).toBe(201);
    const note = await app.api(`/tickets/${number}/messages`, {
      body: { author: 'Luca', text: 'Cliente storico', internal: true },
    });
    expect(note.status).toBe(201);
    expect(
      (await app.api(`/tickets/${number}/messages`, { body: { author: 'Luca', text: '   ' } })).status,
    ).toBe(400);
    expect((await app.api('/tickets/424242/messages', { body: { author: 'L', text: 'x' } })).status).toBe(
      404,
    );
    await app.settle();

    const shown = await json(await app.api(`/tickets/${number}`));
    expect(shown.ticket.status).toBe('waiting_customer');
    expect(
      shown.messages.map((m: { direction: string; newText: string }) => [m.direction, m.newText]),
    ).toEqual([
      ['inbound', 'PC lento'],
      ['outbound', expect.stringContaining('ticket n.')],
      ['outbound', 'Domani alle 10 va bene?'],
      ['note', 'Cliente storico'],
    ]);
    expect(shown.messages[2].deliveries[0]).toMatchObject({ status: 'sent', attempts: 1 });
    // Signed with the technician's name (#20).
    expect(channel.sentTo('bianchi@example.test').map((m) => m.text)).toContain(
      'Domani alle 10 va bene?\n\n— Luca',
    );
    expect((await app.api('/tickets/424242')).status).toBe(404);
    expect((await app.api('/tickets/abc')).status).toBe(400);

    const closed = await app.api(`/tickets/${number}/status`, { body: { author: 'Luca', status: 'closed' } });
    expect(closed.status).toBe(200);
    const reopen = await app.api(`/tickets/${number}/status`, { body: { author: 'Luca', status: 'open' } });
    expect(reopen.status).toBe(409);
    expect((await json(reopen)).error).toBe('invalid_transition');
  });

  it('rejects malformed JSON with 400', async () => {
    const response = await fetch(`${app.url}/api/v1/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.apiToken}`, 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(response.status).toBe(400);
  });

  it('publishes an OpenAPI document listing every route', async () => {
    const response = await fetch(`${app.url}/api/v1/openapi.json`);
    expect(response.status).toBe(200);
    const doc = await json(response);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/tickets',
        '/tickets/{number}',
        '/tickets/{number}/messages',
        '/customers',
        '/unmatched',
      ]),
    );
  });
});
