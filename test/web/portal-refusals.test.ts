import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreContext } from '../../src/core/core-context.js';
import { PORTAL_POSTS_PER_MINUTE } from '../../src/web/portal-posts.js';
import { type PortalClient, portalCustomer, signedInClient } from '../helpers/portal-client.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { WEB_TEST_SETTINGS, webOnlyAdapter } from '../helpers/web-kit.js';

// A post the portal cannot take is refused where the customer sees it, with the reason, and what
// they wrote is still in the form (nothing dropped silently, nothing typed lost).
let app: TestApp;
let core: CoreContext;

beforeAll(async () => {
  app = await startTestApp({
    env: { TRUST_PROXY: 'true' },
    adapters: (_context, c) => {
      core = c;
      return [webOnlyAdapter(c, { chatOn: (kind) => kind === 'slack' })];
    },
  });
});

afterAll(async () => {
  await app?.close();
});

/** The text of the form's textarea on a page, unescaped. */
function textareaOf(html: string): string | undefined {
  const raw = /<textarea[^>]*name="text"[^>]*>([\s\S]*?)<\/textarea>/.exec(html)?.[1];
  return raw
    ?.replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');
}

function form(fields: Record<string, string>, file?: { size: number; name: string }): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  if (file) data.append('attachments', new Blob([new Uint8Array(file.size)]), file.name);
  return data;
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await app.database.sql.query<{ n: number }>(sql, params);
  return rows[0]!.n;
}

async function openTicket(client: PortalClient, subject: string): Promise<number> {
  const created = await client.post(
    '/portal/tickets',
    {},
    form({ subject, text: 'primo', nonce: `o-${subject}` }),
  );
  return Number(/tickets\/(\d+)/.exec(created.response.headers.get('location')!)![1]);
}

describe('an account that may not post', () => {
  it('tells a suspended customer so on every page and refuses a post visibly, keeping the text', async () => {
    const id = await portalCustomer(app, core, 'sara@example.test');
    const sara = await signedInClient(app, 'sara@example.test');
    const number = await openTicket(sara, 'Prima');
    await app.database.sql.query("update customers set status = 'suspended' where id = $1", [id.toString()]);

    for (const path of ['/portal', `/portal/tickets/${number}`, '/portal/account']) {
      const page = await sara.get(path);
      expect(page.text).toContain('Il suo account è sospeso');
      expect(page.text).toContain('role="alert"');
    }
    // No form to fill in that would go nowhere.
    expect((await sara.get('/portal')).text).not.toContain('action="/portal/tickets"');
    expect((await sara.get('/portal?lang=en')).text).toContain('Your account is suspended');

    const before = await count('select count(*)::int as n from messages');
    const sent = await sara.post(
      '/portal/tickets',
      {},
      form({ subject: 'Urgente', text: 'La stampante <b>non</b> va', nonce: 'susp-1' }),
    );
    expect(sent.response.status).toBe(403);
    expect(sent.text).toContain('Message not sent.');
    expect(sent.text).toContain('Your account is suspended');
    expect(textareaOf(sent.text) ?? sent.text).toContain('La stampante <b>non</b> va');
    const reply = await sara.post(
      `/portal/tickets/${number}/reply`,
      {},
      form({ text: 'ci sei?', nonce: 'susp-2' }),
    );
    expect(reply.response.status).toBe(403);
    expect(reply.text).toContain('ci sei?');
    // Refused, not stored somewhere unseen.
    expect(await count('select count(*)::int as n from messages')).toBe(before);
  });

  it('refuses a suspended customer quick access and link codes, with the reason', async () => {
    const id = await portalCustomer(app, core, 'silvio@example.test');
    const silvio = await signedInClient(app, 'silvio@example.test');
    await silvio.get('/portal/account');
    await app.database.sql.query("update customers set status = 'suspended' where id = $1", [id.toString()]);
    const codesBefore = await count('select count(*)::int as n from link_codes where customer_id = $1', [
      id.toString(),
    ]);
    const quick = await silvio.post('/portal/quick-access', { on: 'yes' });
    expect(quick.response.status).toBe(403);
    expect(quick.text).toContain('Il suo account è sospeso');
    const slack = await silvio.post('/portal/slack-link', {});
    expect(slack.response.status).toBe(403);
    expect(slack.text).toContain('Il suo account è sospeso');
    expect(slack.text).not.toMatch(/link [\w-]{16,}/);
    const telegram = await silvio.post('/portal/telegram-link', {});
    expect(telegram.response.status).toBe(403);
    const customer = await app.database.sql.query<{ quick_access: boolean }>(
      'select quick_access from customers where id = $1',
      [id.toString()],
    );
    expect(customer.rows[0]!.quick_access).toBe(false);
    expect(
      await count('select count(*)::int as n from link_codes where customer_id = $1', [id.toString()]),
    ).toBe(codesBefore);
  });

  it('tells a pending customer their account awaits activation and takes their ticket', async () => {
    await portalCustomer(app, core, 'pietro@example.test', { activate: false });
    const pietro = await signedInClient(app, 'pietro@example.test');
    expect((await pietro.get('/portal')).text).toContain('in attesa di attivazione');
    const sent = await pietro.post(
      '/portal/tickets',
      {},
      form({ subject: 'Attesa', text: 'ciao', nonce: 'pend-1' }),
    );
    expect(sent.response.headers.get('location')).toMatch(/^\/portal\/tickets\/\d+\?sent=1$/);
    expect((await pietro.get(sent.response.headers.get('location')!)).text).toContain(
      'in attesa di attivazione',
    );
  });
});

describe('a refused post keeps what the customer wrote', () => {
  it('when the subject is too long', async () => {
    await portalCustomer(app, core, 'tina@example.test');
    const tina = await signedInClient(app, 'tina@example.test');
    const subject = 's'.repeat(201);
    const sent = await tina.post(
      '/portal/tickets',
      {},
      form({ subject, text: 'Testo scritto con cura', nonce: 'long-1' }),
    );
    expect(sent.response.status).toBe(400);
    expect(sent.text).toContain('Messaggio troppo lungo');
    expect(textareaOf(sent.text)).toBe('Testo scritto con cura');
    expect(sent.text).toContain(`value="${subject}"`);
  });

  it('when a file is over the limit, on the ticket page, saying which limit', async () => {
    await portalCustomer(app, core, 'ugo@example.test');
    const ugo = await signedInClient(app, 'ugo@example.test');
    const number = await openTicket(ugo, 'File');
    const sent = await ugo.post(
      `/portal/tickets/${number}/reply`,
      {},
      form(
        { text: 'Ecco il log completo', nonce: 'big-1' },
        { size: WEB_TEST_SETTINGS.maxAttachmentBytes + 1, name: 'log.bin' },
      ),
    );
    expect(sent.response.status).toBe(413);
    expect(sent.text).toContain('2 MB');
    expect(sent.text).toContain('Gli allegati vanno scelti di nuovo.');
    expect(sent.text).toContain(`#${number}`);
    expect(textareaOf(sent.text)).toBe('Ecco il log completo');
    expect(
      await count("select count(*)::int as n from messages where new_text = 'Ecco il log completo'"),
    ).toBe(0);
  });

  it('when too many files are sent', async () => {
    await portalCustomer(app, core, 'vera@example.test');
    const vera = await signedInClient(app, 'vera@example.test');
    const data = form({ subject: 'Foto', text: 'Sei foto del guasto', nonce: 'files-1' });
    for (let i = 0; i < 6; i++) data.append('attachments', new Blob([`foto ${i}`]), `foto-${i}.jpg`);
    const sent = await vera.post('/portal/tickets', {}, data);
    expect(sent.response.status).toBe(413);
    expect(textareaOf(sent.text)).toBe('Sei foto del guasto');
  });

  it('when the customer posts too often', async () => {
    await portalCustomer(app, core, 'walter@example.test');
    const walter = await signedInClient(app, 'walter@example.test');
    for (let i = 0; i < PORTAL_POSTS_PER_MINUTE; i++) {
      const ok = await walter.post(
        '/portal/tickets',
        {},
        form({ subject: `n${i}`, text: 'x', nonce: `rate-${i}` }),
      );
      expect(ok.response.status).toBe(303);
    }
    const refused = await walter.post(
      '/portal/tickets',
      {},
      form({ subject: 'Ancora', text: 'Un messaggio in più', nonce: 'rate-x' }),
    );
    expect(refused.response.status).toBe(429);
    expect(refused.text).toContain('Troppe richieste');
    expect(textareaOf(refused.text)).toBe('Un messaggio in più');
    expect(refused.text).toContain('value="Ancora"');
  });
});
