import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreContext } from '../../../src/core/core-context.js';
import { createLogger } from '../../../src/logger.js';
import { newTotpSecret } from '../../../src/web/staff/staff-totp.js';
import { PortalClient, portalCustomer, signedInClient } from '../../helpers/portal-client.js';
import { createStaffAccount, totpCode } from '../../helpers/staff-kit.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';
import { webOnlyAdapter } from '../../helpers/web-kit.js';

// A technician's typed reply or note is never lost (#25, outside tester): a text over the limit
// comes back in the staff form, and one posted after the session expired comes back on the ticket
// after the next sign-in (TOTP included), only to the same technician, never to a customer.
const lines: string[] = [];
const capture = new Writable({
  write(chunk, _encoding, done) {
    lines.push(String(chunk));
    done();
  },
});
let app: TestApp;
let core: CoreContext;
let number: number;
let portalTicket: PortalClient;
const CUSTOMER = 'carla.neri@cliente.example';
const ANNA = { email: 'anna@negozio.example', password: 'password-di-anna-123' };
const BRUNO = { email: 'bruno@negozio.example', password: 'password-di-bruno-123' };
const TOTP = {
  email: 'carlo@negozio.example',
  password: 'password-di-carlo-123',
  totpSecret: newTotpSecret(),
};

beforeAll(async () => {
  app = await startTestApp({
    env: { TRUST_PROXY: 'true' },
    logger: createLogger('trace', capture),
    adapters: (_context, c) => {
      core = c;
      return [webOnlyAdapter(c, { logger: createLogger('trace', capture) })];
    },
  });
  await portalCustomer(app, core, CUSTOMER);
  portalTicket = await signedInClient(app, CUSTOMER);
  const opened = await portalTicket.post('/portal/tickets', {
    subject: 'Server fermo',
    text: 'Il server non si accende da stamattina.',
    nonce: 'n-open',
  });
  number = Number(/\/portal\/tickets\/(\d+)/.exec(opened.response.headers.get('location') ?? '')![1]);
  await createStaffAccount(core, { ...ANNA, role: 'technician', name: 'Anna Bianchi' });
  await createStaffAccount(core, { ...BRUNO, role: 'technician', name: 'Bruno Rossi' });
  await createStaffAccount(core, { ...TOTP, role: 'admin', name: 'Carlo Gialli' });
}, 60_000);

afterAll(async () => {
  await app?.close();
});

/** Signs `client` in as `who` (the code step too), and answers where the sign-in led. */
async function signIn(client: PortalClient, who: { email: string; password: string; totpSecret?: string }) {
  await client.get('/staff/sign-in');
  let { response } = await client.post('/staff/sign-in', { email: who.email, password: who.password });
  // A code is single-use: a second sign-in within 30 s types the next step's code.
  for (const offset of who.totpSecret && response.headers.get('location') === '/staff/sign-in/code'
    ? [0, 30_000]
    : []) {
    await client.get('/staff/sign-in/code');
    ({ response } = await client.post('/staff/sign-in/code', {
      code: await totpCode(who.totpSecret!, Date.now() + offset),
    }));
    if (response.status === 303) break;
  }
  expect(response.status).toBe(303);
  return response.headers.get('location')!;
}

/** A technician's browser, signed in, on the ticket's page (which gives it its draft key). */
async function technician(who: { email: string; password: string; totpSecret?: string }) {
  const client = new PortalClient(app);
  await signIn(client, who);
  await client.get(`/staff/tickets/${number}`);
  return client;
}

/** A reply or note posted from the ticket's own page; `expire` ends every session first. */
async function post(client: PortalClient, action: 'reply' | 'note', text: string, expire = false) {
  if (expire) await app.database.sql.query('delete from web_sessions');
  const response = await fetch(`${app.url}/staff/tickets/${number}/${action}`, {
    method: 'POST',
    headers: { ...client.headers(), 'sec-fetch-site': 'same-origin' },
    body: new URLSearchParams({ _csrf: client.csrf, text }),
    redirect: 'manual',
  });
  client.keep(response);
  return { status: response.status, location: response.headers.get('location'), page: await response.text() };
}

const formText = (page: string, id: 'f-reply' | 'f-note') =>
  new RegExp(`<textarea id="${id}"[^>]*>([\\s\\S]*?)</textarea>`).exec(page)?.[1];

async function staffTexts() {
  const { rows } = await app.database.sql.query<{ direction: string; new_text: string }>(
    `select m.direction, m.new_text from messages m join tickets t on t.id = m.ticket_id
      where t.number = $1 and m.direction <> 'inbound' order by m.id`,
    [number],
  );
  return rows;
}

const keptDrafts = async () =>
  (await app.database.sql.query<{ n: number }>('select count(*)::int as n from web_drafts')).rows[0]!.n;

describe('a long staff reply', () => {
  it('sends a reply of 90,000 characters with accents (over the old 64 KB form limit)', async () => {
    const client = await technician(ANNA);
    const text = 'Già verificato: è tutto a posto. '.repeat(2727).trim();
    expect(text.length).toBeGreaterThan(89_000);
    const answer = await post(client, 'reply', text);
    expect(answer.status).toBe(303);
    expect((await staffTexts()).at(-1)).toEqual({ direction: 'outbound', new_text: text });
  });

  it('gives a text over 100,000 characters back in the staff form, naming the limit', async () => {
    const client = await technician(ANNA);
    const before = await staffTexts();
    const text = `${'Procedura di ripristino passo per passo. '.repeat(3000)}Fine.`;
    const answer = await post(client, 'note', text);
    expect(answer.status).toBe(413);
    expect(answer.page).toContain('Server fermo'); // the ticket's own page, not the portal's
    expect(answer.page).toContain('il limite è di 100.000 caratteri e ne ha 123.005');
    expect(answer.page).toContain('non è stato inviato nulla');
    expect(formText(answer.page, 'f-note')).toBe(text);
    expect(await staffTexts()).toEqual(before);
    client.cookies.set('lang', 'en');
    const english = await post(client, 'reply', text);
    expect(english.page).toContain('the limit is 100,000 characters and it has 123,005');
    expect(formText(english.page, 'f-reply')).toBe(text);
  });

  it('gives back the beginning of a form over 1 MiB, saying only that arrived', async () => {
    const client = await technician(ANNA);
    const before = await staffTexts();
    const text = `Inizio del registro.\n${'riga di log del server che si ripete\n'.repeat(40_000)}`;
    const answer = await post(client, 'reply', text);
    expect(answer.status).toBe(413);
    expect(answer.page).toContain('è arrivato solo');
    const back = formText(answer.page, 'f-reply')!;
    expect(back.startsWith('Inizio del registro.\nriga di log')).toBe(true);
    expect(back.length).toBeGreaterThan(900_000);
    expect(text.startsWith(back.trimEnd())).toBe(true);
    expect(await staffTexts()).toEqual(before);
  });
});

describe('a staff session that expired', () => {
  it('keeps the reply, out of the logs, and gives it back on the ticket after sign-in, unsent', async () => {
    const client = await technician(ANNA);
    const before = await staffTexts();
    const text = `Buongiorno, il disco è da sostituire: passo domani. ${Math.random().toString(36).slice(2)}`;
    const answer = await post(client, 'reply', text, true);
    expect(answer.status).toBe(401);
    expect(answer.page).toContain('La sessione era scaduta: il testo (risposta o nota) non è stato inviato');
    expect(answer.page).toContain(`name="next" value="/staff/tickets/${number}"`);
    expect(await signIn(client, ANNA)).toBe(`/staff/tickets/${number}`);
    const { text: page } = await client.get(`/staff/tickets/${number}`);
    expect(formText(page, 'f-reply')).toBe(text);
    expect(formText(page, 'f-note')).toBe('');
    expect(page).toContain('non è ancora stato inviato');
    expect(await staffTexts()).toEqual(before);
    expect(lines.join('\n')).not.toContain(text);
    expect(lines.join('\n')).not.toContain('FST_ERR_REP_ALREADY_SENT'); // one answer per post
    // Sent from the restored form: stored once, and the draft is gone.
    expect((await post(client, 'reply', text)).status).toBe(303);
    expect((await staffTexts()).slice(before.length)).toEqual([{ direction: 'outbound', new_text: text }]);
    const after = await client.get(`/staff/tickets/${number}`);
    expect(after.text).not.toContain('non è ancora stato inviato');
    expect(formText(after.text, 'f-reply')).toBe('');
  });

  it('gives a note back in the note form after the TOTP step too', async () => {
    const client = await technician(TOTP);
    const text = 'Nota: il cliente ha un contratto di assistenza, niente da fatturare.';
    expect((await post(client, 'note', text, true)).status).toBe(401);
    expect(await signIn(client, TOTP)).toBe(`/staff/tickets/${number}`);
    const { text: page } = await client.get(`/staff/tickets/${number}`);
    expect(formText(page, 'f-note')).toBe(text);
    expect(formText(page, 'f-reply')).toBe('');
  });

  it('does not give it to another technician signing in on the same browser', async () => {
    const client = await technician(ANNA);
    const text = 'Bozza di Anna, per nessun altro.';
    expect((await post(client, 'reply', text, true)).status).toBe(401);
    expect(await signIn(client, BRUNO)).toBe('/staff');
    const { text: page } = await client.get(`/staff/tickets/${number}`);
    expect(page).not.toContain(text);
    expect(await signIn(client, ANNA)).toBe(`/staff/tickets/${number}`);
    expect(formText((await client.get(`/staff/tickets/${number}`)).text, 'f-reply')).toBe(text);
  });

  it('never offers a staff draft to a customer, nor a customer draft to staff', async () => {
    const staffText = 'Testo del tecnico, mai per il cliente.';
    const desk = await technician(ANNA);
    expect((await post(desk, 'reply', staffText, true)).status).toBe(401);
    // The customer's browser holding the technician's draft key in its own cookie.
    const customer = new PortalClient(app);
    customer.cookies.set('hd_draft', desk.cookies.get('hd_staff_draft')!);
    await customer.get('/signin');
    await customer.post('/signin', { email: CUSTOMER, password: 'a long enough password 42' });
    expect((await customer.get(`/portal/tickets/${number}`)).text).not.toContain(staffText);

    const customerText = 'Testo della cliente, mai per il tecnico.';
    const mine = await signedInClient(app, CUSTOMER);
    await mine.get(`/portal/tickets/${number}`);
    await app.database.sql.query('delete from web_sessions');
    const kept = await fetch(`${app.url}/portal/tickets/${number}/reply`, {
      method: 'POST',
      headers: { ...mine.headers(), 'sec-fetch-site': 'same-origin' },
      body: new URLSearchParams({ _csrf: mine.csrf, text: customerText, nonce: 'n-c' }),
      redirect: 'manual',
    });
    expect(kept.status).toBe(401);
    const tech = new PortalClient(app);
    tech.cookies.set('hd_staff_draft', mine.cookies.get('hd_draft')!);
    expect(await signIn(tech, ANNA)).toBe('/staff');
    expect((await tech.get(`/staff/tickets/${number}`)).text).not.toContain(customerText);
  });

  it('keeps nothing from a cross-site post, and shows the text to copy without a draft key', async () => {
    await app.database.sql.query('delete from web_drafts');
    const client = await technician(ANNA);
    await app.database.sql.query('delete from web_sessions');
    const forged = await fetch(`${app.url}/staff/tickets/${number}/reply`, {
      method: 'POST',
      headers: { ...client.headers(), 'sec-fetch-site': 'cross-site' },
      body: new URLSearchParams({ text: 'Testo piantato da un altro sito.' }),
      redirect: 'manual',
    });
    expect(forged.status).toBe(303);
    expect(forged.headers.get('location')).toBe('/staff/sign-in?next=%2Fstaff');
    client.cookies.delete('hd_staff_draft');
    const text = 'Da copiare a mano: riavviare il NAS dopo le 18.';
    const answer = await post(client, 'reply', text);
    expect(answer.status).toBe(401);
    expect(answer.page).toContain('non si è potuto conservare');
    expect(answer.page).toMatch(new RegExp(`<textarea id="f-unsent"[^>]*readonly[^>]*>${text}</textarea>`));
    expect(await keptDrafts()).toBe(0);
  });
});
