import { Writable } from 'node:stream';
import { Validator } from '@seriousme/openapi-schema-validator';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { alertView, apiError, customerView, messageView, ticketView } from '../../src/api/responses.js';
import { consentView } from '../../src/api/routes-consent.js';
import { buildApiServer } from '../../src/api/server.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { inbound, TestChannel } from '../helpers/test-channel.js';

let app: TestApp;
let channel: TestChannel;

beforeAll(async () => {
  channel = new TestChannel();
  // Verdi writes by email: an email stand-in runs so that consent can be asked of him.
  app = await startTestApp({ adapters: () => [channel, new TestChannel('email')] });
});
afterAll(async () => {
  await app.close();
});

// biome-ignore lint/suspicious/noExplicitAny: assertions walk arbitrary response shapes
type Json = Record<string, any>;
const body = async (response: Response) => (await response.json()) as Json;

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document describing each /api/v1 route and nothing else', async () => {
    const doc = await body(await fetch(`${app.url}/api/v1/openapi.json`));
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.servers).toEqual([{ url: '/api/v1' }]);
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/alerts',
      '/appointments',
      '/appointments/{id}',
      '/calendar-feeds',
      '/closures',
      '/closures/{date}',
      '/customers',
      '/customers/{id}/activate',
      '/customers/{id}/consents',
      '/customers/{id}/contract',
      '/customers/{id}/link-code',
      '/customers/{id}/prepaid',
      '/deliveries',
      '/erasure-requests',
      '/erasure-requests/{id}/execute',
      '/reports/hours',
      '/reports/hours/export',
      '/reports/hours/statements',
      '/settings',
      '/terms-versions',
      '/tickets',
      '/tickets/{number}',
      '/tickets/{number}/bookings',
      '/tickets/{number}/consents',
      '/tickets/{number}/credentials',
      '/tickets/{number}/messages',
      '/tickets/{number}/proposals',
      '/tickets/{number}/remote-session',
      '/tickets/{number}/status',
      '/tickets/{number}/time',
      '/tickets/{number}/time/summary',
      '/tickets/{number}/time/{entryId}',
      '/unmatched',
      '/unmatched/{id}/link',
      '/unmatched/{id}/ticket',
    ]);
  });

  it('takes parameters and bodies from the schemas that validate', async () => {
    const doc = await body(await fetch(`${app.url}/api/v1/openapi.json`));
    const list = doc.paths['/tickets'].get;
    expect(list.parameters.map((p: Json) => [p.name, p.in])).toEqual(
      expect.arrayContaining([
        ['status', 'query'],
        ['customerId', 'query'],
        ['limit', 'query'],
      ]),
    );
    expect(list.parameters.find((p: Json) => p.name === 'status').schema.enum).toContain('waiting_customer');
    const create = doc.paths['/customers'].post;
    const schema = create.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'identities']));
    expect(Object.keys(create.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '409', '500']),
    );
    expect(doc.paths['/tickets/{number}'].get.parameters[0]).toMatchObject({ name: 'number', in: 'path' });
  });
});

describe('answers match their documented shapes', () => {
  it('tickets, messages with deliveries, customers, unmatched messages and alerts', async () => {
    const created = await app.api('/customers', {
      body: {
        name: 'Verdi',
        status: 'active',
        identities: [{ kind: 'email', address: 'verdi@example.test' }],
      },
    });
    expect(created.status).toBe(201);
    z.object({ customer: customerView })
      .strict()
      .parse(await body(created));
    const outcome = await app.channelContext.ingest(
      inbound({
        from: 'verdi@example.test',
        channel: 'email',
        sender: { kind: 'email', address: 'verdi@example.test' },
      }),
    );
    if (outcome.status !== 'new_ticket') throw new Error('expected a ticket');
    await app.channelContext.ingest(
      inbound({ from: 'stranger@example.test', sender: { kind: 'email', address: 'stranger@example.test' } }),
    );
    await app.settle();

    const strict = <T extends z.ZodRawShape>(shape: T) => z.object(shape).strict();
    strict({ tickets: z.array(ticketView.strict()) }).parse(await body(await app.api('/tickets')));
    const shown = strict({ ticket: ticketView.strict(), messages: z.array(messageView.strict()) }).parse(
      await body(await app.api(`/tickets/${outcome.ticketNumber}`)),
    );
    expect(shown.messages.flatMap((m) => m.deliveries).length).toBeGreaterThan(0);
    strict({ customers: z.array(customerView.strict()) }).parse(await body(await app.api('/customers')));
    const unmatched = strict({
      messages: z.array(messageView.extend({ reason: z.string().nullable() })),
    }).parse(await body(await app.api('/unmatched')));
    expect(unmatched.messages.length).toBeGreaterThan(0);
    strict({ alerts: z.array(alertView.strict()) }).parse(await body(await app.api('/alerts')));
    apiError.strict().parse(await body(await app.api('/tickets/424242')));
    const asked = await app.api(`/tickets/${outcome.ticketNumber}/consents`, {
      body: { technician: 'Luca' },
    });
    expect(asked.status).toBe(201);
    strict({ consent: consentView.strict(), deliveryId: z.string() }).parse(await body(asked));
    const listed = strict({ consents: z.array(consentView.strict()) }).parse(
      await body(await app.api(`/tickets/${outcome.ticketNumber}/consents`)),
    );
    expect(listed.consents).toHaveLength(1);
  });
});

describe('bad input is a 400 naming the field', () => {
  const customer = (fields: Json) => ({
    name: 'Neri',
    identities: [{ kind: 'telegram', address: '12345' }],
    ...fields,
  });

  it.each([
    ['a NUL in the name', customer({ name: 'Ne\u0000ri' }), 'name'],
    ['a lone surrogate in the name', customer({ name: 'Neri \uD83D' }), 'name'],
    [
      'a NUL in an identity address',
      customer({ identities: [{ kind: 'telegram', address: '1\u00002' }] }),
      'identities.0.address',
    ],
    ['a NUL in the phone', customer({ phone: '333\u0000' }), 'phone'],
  ])('%s', async (_what, input, field) => {
    const before = await body(await app.api('/customers'));
    const response = await app.api('/customers', { body: input });
    expect(response.status).toBe(400);
    const answer = await body(response);
    expect(answer.error).toBe('validation_failed');
    expect(Object.keys(answer.fields)).toEqual([field]);
    expect(answer.fields[field]).toMatch(/NUL|Unicode/);
    expect((await body(await app.api('/customers'))).customers).toHaveLength(before.customers.length);
  });

  it('a NUL in a reply text, or a ticket number beyond the column, stores nothing', async () => {
    const created = await body(
      await app.api('/customers', {
        body: {
          name: 'Gialli',
          status: 'active',
          identities: [{ kind: 'email', address: 'gialli@example.test' }],
        },
      }),
    );
    expect(created.customer).toBeDefined();
    const outcome = await app.channelContext.ingest(
      inbound({ from: 'gialli@example.test', sender: { kind: 'email', address: 'gialli@example.test' } }),
    );
    if (outcome.status !== 'new_ticket') throw new Error('expected a ticket');
    const path = `/tickets/${outcome.ticketNumber}`;
    const before = (await body(await app.api(path))).messages.length;
    const reply = await app.api(`${path}/messages`, { body: { author: 'Luca', text: 'ciao\u0000' } });
    expect(reply.status).toBe(400);
    expect(Object.keys((await body(reply)).fields)).toEqual(['text']);
    const author = await app.api(`${path}/status`, { body: { author: '\u0000', status: 'open' } });
    expect(Object.keys((await body(author)).fields)).toEqual(['author']);
    expect((await body(await app.api(path))).messages).toHaveLength(before);

    const huge = await app.api('/tickets/99999999999');
    expect(huge.status).toBe(400);
    expect(Object.keys((await body(huge)).fields)).toEqual(['number']);
  });

  it('a query parameter is named too', async () => {
    const response = await app.api('/tickets?limit=0&status=bogus');
    expect(response.status).toBe(400);
    expect(Object.keys((await body(response)).fields).sort()).toEqual(['limit', 'status']);
  });
});

describe('hostile and odd requests', () => {
  const raw = (path: string, init: { method?: string; contentType?: string; body?: string } = {}) =>
    fetch(`${app.url}/api/v1${path}`, {
      method: init.method ?? 'POST',
      headers: {
        authorization: `Bearer ${app.apiToken}`,
        ...(init.contentType ? { 'content-type': init.contentType } : {}),
      },
      body: init.body,
    });

  it.each([
    ['an array body', '/customers', '[1,2]', 400],
    ['a string body', '/customers', '"Rossi"', 400],
    ['a null body', '/customers', 'null', 400],
    [
      'a number where text goes',
      '/customers',
      '{"name":42,"identities":[{"kind":"email","address":"a@b.it"}]}',
      400,
    ],
    ['a __proto__ key', '/customers', '{"__proto__":{"admin":true},"name":"x"}', 400],
    [
      'an unknown identity kind',
      '/customers',
      '{"name":"x","identities":[{"kind":"fax","address":"1"}]}',
      400,
    ],
  ])('%s is a 4xx with a JSON error, never a 500', async (_what, path, text, status) => {
    const response = await raw(path, { contentType: 'application/json', body: text });
    expect(response.status).toBe(status);
    expect((await body(response)).error).toEqual(expect.any(String));
  });

  it('a body that is not JSON, or too large, is refused with its own status', async () => {
    const xml = await raw('/customers', { contentType: 'application/xml', body: '<name>Rossi</name>' });
    expect(xml.status).toBe(415);
    const text = await raw('/customers', { contentType: 'text/plain', body: 'name=Rossi' });
    expect(text.status).toBe(400);
    const large = await raw('/customers', {
      contentType: 'application/json',
      body: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(large.status).toBe(413);
  });

  it.each([
    '/tickets/1.5',
    '/tickets/0',
    '/tickets/-3',
    '/tickets?customerId=abc',
    '/tickets?customerId=1e400',
    '/tickets?status=open&status=closed',
    '/tickets?offset=-1',
    '/unmatched?limit=501',
    '/tickets?customerId=1e3',
    '/tickets?customerId=0x10',
    '/tickets?limit=1e1',
    '/tickets?limit=5.0',
    '/tickets?offset=%205',
    '/reports/hours?month=2026-11&customerId=1e0',
  ])('GET %s is a 400', async (path) => {
    const response = await app.api(path);
    expect(response.status).toBe(400);
    expect((await body(response)).error).toBe('validation_failed');
  });

  it('a link code needs no body', async () => {
    const created = await body(
      await app.api('/customers', {
        body: { name: 'Blu', identities: [{ kind: 'email', address: 'blu@example.test' }] },
      }),
    );
    const response = await app.api(`/customers/${created.customer.id}/link-code`, { method: 'POST' });
    expect(response.status).toBe(201);
    expect((await body(response)).startCommand).toMatch(/^\/start \S+$/);
  });
});

describe('an unexpected failure', () => {
  it('is a 500 with an id that finds the cause in the log, never a 400', async () => {
    const broken = await startTestApp({ workers: false });
    const lines: Json[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const server = await buildApiServer({
      core: broken.core,
      queue: broken.queue,
      apiToken: { matches: (given) => given === broken.apiToken },
      logger: pino({ level: 'info' }, sink),
    });
    try {
      // The store goes away under a running server.
      await broken.database.close();
      const response = await server.inject({
        url: '/api/v1/tickets',
        headers: { authorization: `Bearer ${broken.apiToken}` },
      });
      expect(response.statusCode).toBe(500);
      const answer = response.json() as Json;
      expect(answer).toMatchObject({ error: 'internal' });
      expect(answer.errorId).toMatch(/^[0-9a-f-]{36}$/);
      expect(answer.message).toContain(answer.errorId);
      const logged = lines.find((l) => l.errorId === answer.errorId);
      expect(logged).toMatchObject({ level: 50, msg: 'request failed' });
      expect(logged!.reason).toEqual(expect.any(String));
    } finally {
      await server.close();
      await broken.close();
    }
  });
});
