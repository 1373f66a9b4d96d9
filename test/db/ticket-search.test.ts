import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../src/core/customers.js';
import { findTickets, headlineParts, type TicketQuery } from '../../src/core/ticket-search.js';
import { getTicketByNumber, postTechnicianMessage } from '../../src/core/tickets.js';
import { tickets } from '../../src/db/schema.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { inbound, TestChannel } from '../helpers/test-channel.js';

let app: TestApp;
let clock = new Date('2026-12-01T10:00:00+01:00');
const channel = new TestChannel();
let n = 0;

async function customer(name: string, locale: 'it' | 'en' = 'it') {
  n++;
  const address = `search${n}@example.test`;
  const created = await createCustomer(
    app.core,
    { name, locale, status: 'active', identities: [{ kind: 'test', address }] },
    'test',
  );
  return { address, id: created.id };
}

async function open(from: string, subject: string, text: string): Promise<number> {
  const outcome = await app.channelContext.ingest(
    inbound({ from, subject, newText: text, fullText: text, receivedAt: clock }),
  );
  if (outcome.status !== 'new_ticket') throw new Error(`expected a new ticket, got ${outcome.status}`);
  return outcome.ticketNumber;
}

const numbers = async (query: TicketQuery) => (await findTickets(app.core, query)).rows.map((r) => r.number);

let printer: number;
let english: number;
let hostile: number;
let mario: bigint;
let hp: number;
let rnd: number;
let body: number;
let backup: number;

/** Customer words with HTML-special characters, an emoji, a URL and an e-mail address (#25). */
const BODY =
  'La cartuccia è <10% & la fotocopiatrice<b>Ricoh</b> dice "urgente" 😀 vedi https://example.com/guida/router?x=1&y=2 ' +
  'o scrivete a mario.rossi@example.com, log in C:\\Users\\Public\\spooler.txt';

beforeAll(async () => {
  app = await startTestApp({ adapters: () => [channel], now: () => clock, workers: false });
  const it1 = await customer('Mario Rossi');
  mario = it1.id;
  const en = await customer('John Smith', 'en');
  const other = await customer('Studio Bianchi');
  printer = await open(it1.address, 'Problema in ufficio', 'Le stampanti del secondo piano non rispondono.');
  english = await open(en.address, 'Office issue', 'Both printers stopped working after the update.');
  hostile = await open(
    other.address,
    'Stampa <script>alert(1)</script>',
    'La stampante dice <img src=x onerror=alert(1)> e poi \u0001finto\u0002 errore.',
  );
  await open(other.address, 'Rete lenta', 'Il router si riavvia da solo.');
});
afterAll(async () => {
  await app.close();
});

describe('ticket full-text search (Italian and English, #25)', () => {
  it('finds an Italian word in another inflection, in message text and subject', async () => {
    expect(await numbers({ search: 'stampante' })).toEqual([hostile, printer]);
    expect(await numbers({ search: 'stampanti piano' })).toEqual([printer]);
    expect(await numbers({ search: 'router' })).toHaveLength(1);
    expect(await numbers({ search: 'stampante -ufficio' })).toEqual([hostile]);
  });

  it('stems an English customer’s text in English', async () => {
    expect(await numbers({ search: 'printer' })).toEqual([english]);
    expect(await numbers({ search: 'stop working' })).toEqual([english]);
  });

  it('finds text added later by a technician, and internal notes', async () => {
    await postTechnicianMessage(app.core, {
      ticketNumber: printer,
      author: 'Anna',
      text: 'Sostituito il toner.',
      internal: true,
    });
    expect(await numbers({ search: 'toner' })).toEqual([printer]);
  });

  it('highlights matches as text: HTML and marker characters in the text stay text', async () => {
    const [row] = (await findTickets(app.core, { search: 'stampante' })).rows.filter(
      (r) => r.number === hostile,
    );
    expect(row).toBeDefined();
    const subject = headlineParts(row!.subject_headline!);
    expect(subject).toEqual([{ text: 'Stampa <script>alert(1)</script>', match: false }]);
    const snippet = headlineParts(row!.snippet!);
    expect(snippet.filter((p) => p.match).map((p) => p.text)).toEqual(['stampante']);
    // The fake markers in the customer's text were removed, not turned into a highlight.
    expect(snippet.map((p) => p.text).join('')).toContain('finto errore');
    expect(snippet.some((p) => p.match && p.text.includes('finto'))).toBe(false);
  });

  it('combines the search with filters and pages by keyset', async () => {
    expect(await numbers({ search: 'stampante', customerId: mario })).toEqual([printer]);
    expect(await numbers({ search: 'stampante', channel: 'email' })).toEqual([]);
    const { status } = await getTicketByNumber(app.core.database, printer);
    expect(await numbers({ search: 'stampante', status })).toEqual([hostile, printer]);
    expect(await numbers({ search: 'stampante', status: 'resolved' })).toEqual([]);
    const first = await findTickets(app.core, { search: 'stampante', limit: 1 });
    expect(first.rows.map((r) => r.number)).toEqual([hostile]);
    expect(first.nextBefore).toBe(hostile);
    const second = await findTickets(app.core, { search: 'stampante', limit: 1, before: first.nextBefore });
    expect(second.rows.map((r) => r.number)).toEqual([printer]);
    expect(second.nextBefore).toBeUndefined();
    expect(await numbers({ search: 'il la e' })).toEqual([]); // only stop words: nothing, no error
  });

  it('filters by assignee and first-contact state', async () => {
    const all = await numbers({});
    expect(all).toHaveLength(4);
    await app.database.db.update(tickets).set({ assignee: 'Anna' }).where(eq(tickets.number, english));
    expect(await numbers({ assignee: 'Anna' })).toEqual([english]);
    expect(await numbers({ assignee: null })).not.toContain(english);
    // The printer ticket got an internal note only: not contacted. The rest neither.
    const ticket = await getTicketByNumber(app.core.database, printer);
    expect(await numbers({ deadline: 'met' })).toEqual([]);
    clock = new Date(ticket.firstContactDueAt!.getTime() + 60_000);
    expect(await numbers({ deadline: 'overdue' })).toContain(printer);
    expect(await numbers({ deadline: 'due_today' })).toEqual([]);
    clock = new Date(ticket.firstContactDueAt!.getTime() - 60_000);
    expect(await numbers({ deadline: 'due_today' })).toContain(printer);
    await postTechnicianMessage(app.core, {
      ticketNumber: printer,
      author: 'Anna',
      text: 'Arrivo.',
      internal: false,
    });
    expect(await numbers({ deadline: 'met' })).toEqual([printer]);
    expect(await numbers({ deadline: 'overdue' })).not.toContain(printer);
  });
});

describe('what the search reads: people’s words, whatever is around them (#25)', () => {
  let verdi: bigint;
  beforeAll(async () => {
    const special = await customer('Officina Verdi');
    verdi = special.id;
    hp = await open(special.address, 'Stampante <HP> & scanner "ufficio"', 'Non parte.');
    rnd = await open(special.address, 'R&D: problema', 'Da ieri.');
    body = await open(special.address, 'Varie', BODY);
    // The acknowledgement every customer got names a "copia di sicurezza": only this one wrote it.
    backup = await open(special.address, 'Backup', 'La copia di sicurezza notturna non parte.');
  });

  it('finds each word of subjects with <, >, & and quotes, and an inflected form', async () => {
    // Other customers' tickets above also speak of a "stampante" and a "problema".
    for (const word of ['stampante', 'stampanti', 'HP', 'scanner', 'ufficio', '"scanner ufficio"', '<HP>'])
      expect(await numbers({ search: word, customerId: verdi }), word).toEqual([hp]);
    for (const word of ['problema', 'problemi', 'R&D'])
      expect(await numbers({ search: word, customerId: verdi }), word).toEqual([rnd]);
  });

  it('finds each word of a message with tags, &, quotes, emoji, a URL, an address and a path', async () => {
    const words = [
      'cartuccia',
      'fotocopiatrice',
      'fotocopiatrici',
      'Ricoh',
      'urgente',
      'guida',
      'example.com',
    ];
    words.push('mario', 'rossi', 'mario.rossi@example.com', 'spooler', 'Users');
    for (const word of words) expect(await numbers({ search: word }), word).toEqual([body]);
    expect(await numbers({ search: 'router' })).toContain(body);
  });

  it('shows the words around the match as they were written', async () => {
    const [subject] = (await findTickets(app.core, { search: 'scanner' })).rows;
    expect(headlineParts(subject!.subject_headline!)).toEqual([
      { text: 'Stampante <HP> & ', match: false },
      { text: 'scanner', match: true },
      { text: ' "ufficio"', match: false },
    ]);
    const [row] = (await findTickets(app.core, { search: 'Ricoh' })).rows;
    const snippet = headlineParts(row!.snippet!);
    expect(snippet.filter((p) => p.match).map((p) => p.text)).toEqual(['Ricoh']);
    expect(snippet.map((p) => p.text).join('')).toContain(
      '<10% & la fotocopiatrice<b>Ricoh</b> dice "urgente" 😀',
    );
  });

  it('does not find the bot’s acknowledgement, only what people wrote', async () => {
    // Every ticket got an acknowledgement with these words; only one customer wrote them.
    expect(await numbers({ search: 'sicurezza' })).toEqual([backup]);
    expect(await numbers({ search: '"copia di sicurezza"' })).toEqual([backup]);
    expect(await numbers({ search: 'lavorativi' })).toEqual([]);
    expect(await numbers({ search: 'intervention' })).toEqual([]); // the English acknowledgement
    const [row] = (await findTickets(app.core, { search: 'sicurezza' })).rows;
    expect(row!.snippet).not.toContain('Gentile cliente');
    // A technician's reply and note with the acknowledgement's words are people's words.
    await postTechnicianMessage(app.core, {
      ticketNumber: hp,
      author: 'Anna',
      text: 'Giorni lavorativi: due.',
      internal: false,
    });
    await postTechnicianMessage(app.core, {
      ticketNumber: rnd,
      author: 'Anna',
      text: 'Intervento da remoto.',
      internal: true,
    });
    expect(await numbers({ search: 'lavorativi' })).toEqual([hp]);
    expect(await numbers({ search: 'remoto' })).toEqual([rnd]);
  });

  it('the migration takes the bot’s texts out of tickets indexed before it', async () => {
    const sql = app.database.sql;
    // As before migration 0025: no message marked as the bot's, every text in the vector.
    await sql.query('update messages set bot_text = false');
    await sql.query(`update tickets t set search_vector = setweight(to_tsvector('italian', t.subject), 'A')
      || to_tsvector('italian', (select string_agg(m.new_text, ' ') from messages m where m.ticket_id = t.id))`);
    expect((await numbers({ search: 'lavorativi' })).length).toBeGreaterThan(2);
    const migration = readFileSync(
      new URL('../../drizzle/0025_search_people_text.sql', import.meta.url),
      'utf8',
    );
    const updates = migration
      .split('--> statement-breakpoint')
      .map((part) => part.replace(/^\s*--.*$/gm, '').trim())
      .filter((part) => part.startsWith('UPDATE'));
    expect(updates).toHaveLength(2);
    for (const update of updates) await sql.query(update);
    expect(await numbers({ search: 'lavorativi' })).toEqual([hp]);
    expect(await numbers({ search: 'sicurezza' })).toEqual([backup]);
    expect(await numbers({ search: 'scanner' })).toEqual([hp]);
    expect(await numbers({ search: 'guida' })).toEqual([body]);
  });
});
