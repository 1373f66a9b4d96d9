import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RemoteSessionEnded } from '../../../src/core/core-context.js';
import { createCustomer } from '../../../src/core/customers.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { inbound, TestChannel } from '../../helpers/test-channel.js';

/**
 * Remote-access consent end to end on the test channel, driven through the REST API as a
 * technician would (terms T3, T4, T5, T7): what the customer receives, what is kept as evidence.
 */
let app: TestApp;
let channel: TestChannel;
let n = 0;
const ended: RemoteSessionEnded[] = [];

async function customerWithTicket(options: { quickAccess?: boolean; locale?: 'it' | 'en' } = {}) {
  n++;
  const address = `consent${n}@example.test`;
  const customer = await createCustomer(
    app.core,
    {
      name: `Cliente ${n}`,
      locale: options.locale ?? 'it',
      status: 'active',
      quickAccess: options.quickAccess ?? false,
      acceptedTermsVersion: '2026-01',
      identities: [{ kind: 'test', address }],
    },
    'test',
  );
  const outcome = await app.channelContext.ingest(inbound({ from: address, subject: 'PC lento' }));
  if (outcome.status !== 'new_ticket') throw new Error(outcome.status);
  await app.settle();
  return { address, number: outcome.ticketNumber, customerId: customer.id.toString() };
}

const say = (from: string, number: number, text: string) =>
  app.channelContext.ingest(
    inbound({ from, newText: text, fullText: text, thread: { ticketNumber: number } }),
  );

async function ask(number: number, technician = 'Luca') {
  const response = await app.api(`/tickets/${number}/consents`, { method: 'POST', body: { technician } });
  expect(response.status).toBe(201);
  await app.settle();
  return (await response.json()) as { consent: Record<string, unknown> };
}

async function evidence(number: number) {
  const response = await app.api(`/tickets/${number}/consents`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { consents: Array<Record<string, unknown>> }).consents;
}

const last = (address: string) => channel.sentTo(address).at(-1)!;

async function session(number: number, action: 'start' | 'end') {
  return app.api(`/tickets/${number}/remote-session`, {
    method: 'POST',
    body: { technician: 'Luca', action },
  });
}

beforeAll(async () => {
  channel = new TestChannel();
  app = await startTestApp({ adapters: () => [channel] });
  app.core.onRemoteSessionEnded?.add((event) => ended.push(event));
});
afterAll(async () => {
  await app.close();
});

/** The ticket's time entries as the API lists them. */
async function timeEntries(number: number): Promise<Array<Record<string, unknown>>> {
  const response = await app.api(`/tickets/${number}/time`);
  return ((await response.json()) as { entries: Array<Record<string, unknown>> }).entries;
}

describe('remote-access consent', () => {
  it("asks in the customer's channel and language, with buttons, and keeps the exact text", async () => {
    const { address, number } = await customerWithTicket();
    const { consent } = await ask(number);
    const request = last(address);
    expect(request.text).toContain(`ticket n. ${number}`);
    expect(request.text).toContain('Luca');
    expect(request.text).toContain('RustDesk');
    expect(request.text).toContain('https://rustdesk.com/download');
    expect(request.text).toContain('acceso e connesso'); // T3
    expect(request.text).toContain('copia di sicurezza'); // T7
    expect(request.text).toContain('avvii lei stesso, a mano'); // T4
    expect(request.text).toContain('Risponda SÌ');
    expect(request.buttons?.[0]?.map((b) => b.label)).toEqual(['SÌ / YES', 'NO']);
    expect(consent.templateVersion).toBe('consent-request-v1');
    expect(consent.requestText).toBe(request.text);
    expect(consent.termsVersion).toBe('2026-01');
    expect(consent.quickAccess).toBe(false);
    expect(consent.technician).toBe('Luca');
    const again = await app.api(`/tickets/${number}/consents`, {
      method: 'POST',
      body: { technician: 'Luca' },
    });
    expect(again.status).toBe(409);
  });

  it('English customers are asked in English', async () => {
    const { address, number } = await customerWithTicket({ locale: 'en' });
    await ask(number);
    expect(last(address).text).toContain('Reply YES to authorise');
    expect(last(address).text).toContain('switched on and connected');
  });

  it('a plain yes grants, asks the credentials once, hands them over once and stores them nowhere', async () => {
    const { address, number } = await customerWithTicket();
    await ask(number);
    await say(address, number, 'Sì, grazie!');
    await app.settle();
    expect(last(address).text).toContain("l'ID e la password");
    let rows = await evidence(number);
    const granted = rows.find((r) => r.event === 'granted')!;
    expect(granted.answerText).toBe('Sì, grazie!');
    expect(granted.backupConfirmed).toBe(true);
    expect(granted.answerMessageId).toMatch(/^\d+$/);
    // Not yet: the credentials are due first (first access).
    expect((await session(number, 'start')).status).toBe(409);

    const secret = 'ID 123 456 789 password Zebra-Gatto-42';
    await say(address, number, secret);
    await app.settle();
    expect(last(address).text).toContain('non vengono conservate');
    const read = await app.api(`/tickets/${number}/credentials`);
    expect(read.status).toBe(200);
    expect(read.headers.get('cache-control')).toBe('no-store');
    expect(await read.json()).toEqual({ technician: 'Luca', credentials: secret });
    expect((await app.api(`/tickets/${number}/credentials`)).status).toBe(404);
    const ticket = await (await app.api(`/tickets/${number}`)).json();
    const texts = (ticket as { messages: Array<{ newText: string }> }).messages.map((m) => m.newText);
    expect(texts).toContain('credenziali fornite (non conservate) / credentials provided (not stored)');
    const { rows: hits } = await app.database.sql.query(
      `select 1 from messages where full_text like '%Zebra%' union all
       select 1 from raw_inputs where encode(data, 'escape') like '%Zebra%' union all
       select 1 from staff_alerts where text like '%Zebra%' union all
       select 1 from consents where coalesce(answer_text, '') like '%Zebra%'`,
    );
    expect(hits).toHaveLength(0);

    expect((await session(number, 'start')).status).toBe(200);
    await app.settle();
    expect(last(address).buttons?.[0]?.[0]?.label).toBe('STOP');
    const end = await session(number, 'end');
    expect(end.status).toBe(200);
    await app.settle();
    expect(last(address).text).toContain('Chiuda ora RustDesk');
    expect(last(address).text).toContain("non lo imposti mai per l'avvio automatico");
    rows = await evidence(number);
    expect(rows.map((r) => r.event)).toEqual([
      'requested',
      'granted',
      'credentials_provided',
      'session_started',
      'session_ended',
    ]);
    expect(rows.at(-1)!.minutes).toBeTypeOf('number');
    expect(ended.find((e) => e.ticketNumber === number)?.reason).toBe('ended');
    // The session's minutes are a billable remote time entry (issue 24), logged with the evidence.
    expect(await timeEntries(number)).toEqual([
      expect.objectContaining({
        kind: 'remote',
        source: 'remote_session',
        billable: true,
        technician: 'Luca',
      }),
    ]);
  });

  it('credentials nobody can receive are not kept: the customer is asked to send them again', async () => {
    const { address, number } = await customerWithTicket();
    await ask(number);
    await say(address, number, 'sì');
    const receiver = app.core.credentialHandOver;
    app.core.credentialHandOver = undefined;
    try {
      await say(address, number, 'pwd Lontano!88 id 111 222 333');
    } finally {
      app.core.credentialHandOver = receiver;
    }
    await app.settle();
    expect(last(address).text).toContain('ce le invii di nuovo più tardi');
    expect((await evidence(number)).map((r) => r.event)).toEqual(['requested', 'granted']);
    expect((await app.api(`/tickets/${number}/credentials`)).status).toBe(404);
    const { rows } = await app.database.sql.query(
      "select 1 from messages where full_text like '%Lontano%' union all select 1 from raw_inputs where encode(data, 'escape') like '%Lontano%'",
    );
    expect(rows).toHaveLength(0);
    // Sent again later, they are handed over.
    await say(address, number, 'pwd Lontano!88 id 111 222 333');
    expect((await evidence(number)).map((r) => r.event)).toEqual([
      'requested',
      'granted',
      'credentials_provided',
    ]);
  });

  it('the ID in one message and the password alone in the next: both handed over, neither kept', async () => {
    const { address, number } = await customerWithTicket();
    await ask(number);
    await say(address, number, 'sì');
    await say(address, number, 'AnyDesk 1 234 567 890');
    await say(address, number, 'Quercia#Rossa7');
    await app.settle();
    const { rows } = await app.database.sql.query(
      "select 1 from messages where full_text like '%Quercia%' union all select 1 from raw_inputs where encode(data, 'escape') like '%Quercia%'",
    );
    expect(rows).toHaveLength(0);
    const read = await app.api(`/tickets/${number}/credentials`);
    expect(await read.json()).toEqual({
      technician: 'Luca',
      credentials: 'AnyDesk 1 234 567 890\nQuercia#Rossa7',
    });
    // A thank-you after the hand-over is an ordinary message, not a password.
    await say(address, number, 'grazie!');
    const texts = (await app.database.sql.query("select 1 from messages where full_text = 'grazie!'")).rows;
    expect(texts).toHaveLength(1);
  });

  it('an edit of the credentials message (a typo fixed in Telegram) is not stored either', async () => {
    const { address, number } = await customerWithTicket();
    await ask(number);
    await say(address, number, 'sì');
    const sent = inbound({
      from: address,
      newText: '123456789 Faggio#Verd',
      fullText: '123456789 Faggio#Verd',
      thread: { ticketNumber: number },
    });
    await app.channelContext.ingest(sent);
    const fixed = '123456789 Faggio#Verde3';
    await app.channelContext.ingest(
      inbound({
        from: address,
        newText: fixed,
        fullText: fixed,
        editOf: sent.externalId,
        raw: { contentType: 'application/json', data: JSON.stringify({ text: fixed }) },
      }),
    );
    await app.settle();
    const { rows } = await app.database.sql.query(
      "select 1 from messages where full_text like '%Faggio%' union all select 1 from raw_inputs where encode(data, 'escape') like '%Faggio%'",
    );
    expect(rows).toHaveLength(0);
    // The corrected credentials reach the technician.
    const read = await app.api(`/tickets/${number}/credentials`);
    expect(((await read.json()) as { credentials: string }).credentials).toContain(fixed);
  });

  it('after a complete hand-over (ID and password) a one-word reply is an ordinary message', async () => {
    const { address, number } = await customerWithTicket();
    await ask(number);
    await say(address, number, 'sì');
    await say(address, number, 'AnyDesk 1 234 567 890 password Quercia#7');
    await app.settle();
    for (const word of ['Perfetto', 'Grazie', 'prego', 'thanks']) await say(address, number, word);
    await app.settle();
    const { rows } = await app.database.sql.query(
      "select full_text from messages where full_text in ('Perfetto', 'Grazie', 'prego', 'thanks')",
    );
    expect(rows).toHaveLength(4);
    const read = await app.api(`/tickets/${number}/credentials`);
    expect(await read.json()).toEqual({
      technician: 'Luca',
      credentials: 'AnyDesk 1 234 567 890 password Quercia#7',
    });
  });

  it('after the ID alone, a thank-you is not taken as the password', async () => {
    const { address, number } = await customerWithTicket();
    await ask(number);
    await say(address, number, 'sì');
    await say(address, number, 'AnyDesk 1 234 567 890');
    await say(address, number, 'Grazie!');
    await app.settle();
    const { rows } = await app.database.sql.query("select 1 from messages where full_text = 'Grazie!'");
    expect(rows).toHaveLength(1);
  });

  it('a plain no refuses; the technician is told', async () => {
    const { address, number } = await customerWithTicket();
    await ask(number);
    await say(address, number, 'No, grazie.');
    await app.settle();
    expect(last(address).text).toContain('nessun collegamento da remoto');
    const rows = await evidence(number);
    expect(rows.map((r) => r.event)).toEqual(['requested', 'refused']);
    const alerts = (await (await app.api('/alerts')).json()) as {
      alerts: Array<{ kind: string; text: string }>;
    };
    expect(alerts.alerts.some((a) => a.kind === 'consent_refused' && a.text.includes(`#${number}`))).toBe(
      true,
    );
    expect((await session(number, 'start')).status).toBe(409);
  });

  it('a conditional answer is not consent: the customer is asked for a plain yes or no', async () => {
    const { address, number } = await customerWithTicket();
    await ask(number);
    await say(address, number, 'sì ma dopo le 15');
    await app.settle();
    expect(last(address).text).toContain('risponda solo SÌ');
    expect((await evidence(number)).map((r) => r.event)).toEqual(['requested', 'unclear']);
    expect((await session(number, 'start')).status).toBe(409);
    await say(address, number, 'ok');
    await app.settle();
    expect((await evidence(number)).map((r) => r.event)).toEqual(['requested', 'unclear', 'granted']);
  });

  it('a stranger cannot answer', async () => {
    const { address, number } = await customerWithTicket();
    const stranger = await customerWithTicket();
    await ask(number);
    const outcome = await say(stranger.address, number, 'sì');
    expect(outcome.status === 'threaded' && outcome.ticketNumber === number).toBe(false);
    expect((await evidence(number)).map((r) => r.event)).toEqual(['requested']);
    expect(channel.sentTo(address).at(-1)!.text).toContain('Risponda SÌ');
  });

  it('quick access: credentials at the first access only; consent still asked every session', async () => {
    const { address, number } = await customerWithTicket({ quickAccess: true });
    await ask(number);
    await say(address, number, 'si');
    await app.settle();
    expect(last(address).text).toContain("l'ID e la password");
    await say(address, number, '123456789 / Cavallo99');
    expect((await session(number, 'start')).status).toBe(200);
    expect((await session(number, 'end')).status).toBe(200);
    await app.api(`/tickets/${number}/credentials`);

    await ask(number);
    expect(last(address).text).toContain('Risponda SÌ');
    await say(address, number, '👍🏽');
    await app.settle();
    expect(last(address).text).not.toContain('password');
    expect((await session(number, 'start')).status).toBe(200);
  });

  it('the customer stops a running session: revoked, clock stopped, technician alerted', async () => {
    const { address, number } = await customerWithTicket({ quickAccess: true });
    await ask(number);
    await say(address, number, 'va bene');
    await say(address, number, 'RustDesk 987 654 321 pwd Pioggia77');
    expect((await session(number, 'start')).status).toBe(200);
    await say(address, number, 'STOP!');
    await app.settle();
    expect(last(address).text).toContain('Collegamento interrotto');
    const rows = await evidence(number);
    expect(rows.at(-1)!.event).toBe('revoked');
    expect(rows.at(-1)!.answerText).toBe('STOP!');
    expect(rows.at(-1)!.minutes).toBeTypeOf('number');
    expect(ended.find((e) => e.ticketNumber === number)?.reason).toBe('revoked');
    expect(await timeEntries(number)).toEqual([
      expect.objectContaining({
        kind: 'remote',
        source: 'remote_session',
        note: 'Sessione remota (interrotta dal cliente)',
      }),
    ]);
    const alerts = (await (await app.api('/alerts')).json()) as {
      alerts: Array<{ kind: string; text: string }>;
    };
    expect(alerts.alerts.some((a) => a.kind === 'consent_revoked' && a.text.includes(`#${number}`))).toBe(
      true,
    );
    expect((await session(number, 'end')).status).toBe(409);
  });

  it('an unanswered request expires; the technician and the customer are told', async () => {
    const { address, number } = await customerWithTicket();
    app.core.settings.consentTtlMs = 1_000;
    try {
      await ask(number);
    } finally {
      app.core.settings.consentTtlMs = 30 * 60_000;
    }
    const deadline = Date.now() + 15_000;
    while (!(await evidence(number)).some((r) => r.event === 'expired')) {
      if (Date.now() > deadline) throw new Error('the request did not expire');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await app.settle();
    expect(last(address).text).toContain('è scaduta');
    await say(address, number, 'sì');
    expect((await evidence(number)).map((r) => r.event)).toEqual(['requested', 'expired']);
  });

  it('the evidence is append-only: the database refuses updates and deletes', async () => {
    const { number, customerId } = await customerWithTicket();
    await ask(number);
    await expect(app.database.sql.query("update consents set technician = 'x'")).rejects.toThrow(
      /append-only/,
    );
    await expect(app.database.sql.query('delete from consents')).rejects.toThrow(/append-only/);
    const byCustomer = await app.api(`/customers/${customerId}/consents`);
    expect(byCustomer.status).toBe(200);
    expect(((await byCustomer.json()) as { consents: unknown[] }).consents).toHaveLength(1);
    expect((await app.api('/customers/999999/consents')).status).toBe(404);
  });
});
