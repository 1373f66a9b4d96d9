import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbound } from '../helpers/test-channel.js';
import { axeViolations, startWebKit, type WebKit } from '../helpers/web-kit.js';

// The web channel in a real browser (Debian's Chromium through playwright-core), JavaScript off as a
// customer without it would have it; axe-core runs in a second context with JavaScript on.
let kit: WebKit;
let page: Page;
const EMAIL = 'mario.rossi@cliente.example';
const PASSWORD = 'una-password-lunga-42';

async function axeClean(path: string) {
  await kit.syncCookies();
  const checker = await kit.withScript.newPage();
  await checker.goto(path);
  expect(await axeViolations(checker), `axe on ${path}`).toEqual([]);
  // Usable on a 360 px phone: nothing wider than the screen.
  expect(await checker.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await checker.close();
}

async function fillRegistration(values: Record<string, string>) {
  for (const [name, value] of Object.entries(values)) await page.fill(`[name=${name}]`, value);
}

beforeAll(async () => {
  kit = await startWebKit();
  page = await kit.noScript.newPage();
}, 120_000);

afterAll(async () => {
  await kit?.close();
});

describe('web channel in a browser', () => {
  it('refuses bad registration input with field errors in Italian and keeps the values', async () => {
    await page.goto('/register');
    await axeClean('/register');
    await kit.screenshot(page, 'register');
    await fillRegistration({
      name: 'Rossi Srl',
      vatNumber: '12345678901',
      contactName: 'Mario Rossi',
      email: 'not-an-email',
      phone: '+39 333 1234567',
    });
    await page.click('button[type=submit]:has-text("Registrati")');
    expect(await page.textContent('#f-vatNumber-error')).toContain('Partita IVA non valida');
    expect(await page.textContent('#f-email-error')).toContain('email non valido');
    expect(await page.textContent('#f-acceptTerms-error')).toContain('Deve accettare');
    expect(await page.inputValue('[name=name]')).toBe('Rossi Srl');
    await kit.screenshot(page, 'register-errors');
  });

  it('registers: pending customer with the terms version, set-password mail, staff alert', async () => {
    await page.goto('/register');
    await fillRegistration({
      name: 'Rossi Srl',
      vatNumber: '12345678903',
      contactName: 'Mario Rossi',
      email: EMAIL,
      phone: '+39 333 1234567',
    });
    await page.check('[name=acceptTerms]');
    await page.check('[name=acceptPrivacy]');
    await page.check('[name=quickAccess]');
    await page.click('button[type=submit]:has-text("Registrati")');
    expect(await page.textContent('main')).toContain('Controlli la posta');
    const mail = await kit.smtp.waitFor((m) => m.envelope.to.includes(EMAIL));
    expect(mail.parsed.subject).toContain('imposti la sua password');
    const { rows } = await kit.app.database.sql.query<{
      status: string;
      accepted_terms_version: string;
      quick_access: boolean;
    }>('select status, accepted_terms_version, quick_access from customers');
    expect(rows).toEqual([{ status: 'pending', accepted_terms_version: '1', quick_access: true }]);
    const alerts = await kit.app.database.sql.query<{ kind: string }>(
      "select kind from staff_alerts where kind = 'registration'",
    );
    expect(alerts.rows).toHaveLength(1);
  });

  it('a second registration with a known address reveals nothing and mails the owner', async () => {
    const before = kit.smtp.messages.length;
    await page.goto('/register');
    await fillRegistration({
      name: 'Impostore',
      taxCode: 'RSSMRA85T10A562S',
      contactName: 'Chi',
      email: EMAIL,
      phone: '0612345678',
    });
    await page.check('[name=kind][value=person]');
    await page.check('[name=acceptTerms]');
    await page.check('[name=acceptPrivacy]');
    await page.click('button[type=submit]:has-text("Registrati")');
    expect(await page.textContent('main')).toContain('Controlli la posta');
    await kit.smtp.waitForMessages(before + 1);
    expect(kit.smtp.messages.at(-1)!.parsed.subject).toContain('ha già un account');
    const { rows } = await kit.app.database.sql.query('select id from customers');
    expect(rows).toHaveLength(1);
  });

  it('sets the password once through the mailed link, then signs in', async () => {
    const mail = kit.smtp.messages.find((m) => m.parsed.subject?.includes('imposti la sua password'))!;
    const link = kit.linkIn(mail.parsed.text ?? '');
    await page.goto(link);
    await axeClean(link);
    await page.fill('[name=password]', PASSWORD);
    await page.click('button:has-text("Salva")');
    expect(await page.textContent('main')).toContain('Password impostata');
    await page.goto(link);
    expect(await page.textContent('main')).toContain('non è valido');
    await page.goto('/signin');
    await page.fill('[name=email]', EMAIL);
    await page.fill('[name=password]', PASSWORD);
    await page.click('main button:has-text("Accedi")');
    expect(page.url()).toMatch(/\/portal$/);
    expect(await page.textContent('main')).toContain('in attesa di attivazione');
    const cookie = (await kit.noScript.cookies()).find((c) => c.name === 'hd_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
  });

  it('opens a ticket with an attachment, gets the acknowledgement in the portal and by mail, sees the reply', async () => {
    const { rows } = await kit.app.database.sql.query<{ id: string }>('select id::text from customers');
    expect((await kit.app.api(`/customers/${rows[0]!.id}/activate`, { method: 'POST' })).status).toBeLessThan(
      300,
    );
    await page.goto('/portal');
    await axeClean('/portal');
    await page.fill('[name=subject]', 'La stampante non stampa');
    await page.fill('[name=text]', 'Da ieri la stampante <b>non</b> risponde.');
    await page.setInputFiles('[name=attachments]', {
      name: 'errore.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('codice 0x42'),
    });
    await page.click('button:has-text("Apri un ticket")');
    expect(page.url()).toMatch(/\/portal\/tickets\/\d+\?sent=1$/);
    const number = Number(/tickets\/(\d+)/.exec(page.url())![1]);
    const main = await page.textContent('main');
    expect(main).toContain('Da ieri la stampante <b>non</b> risponde.');
    expect(main).toContain('errore.txt');
    expect(main).toContain(`#${number}`);
    const ack = await kit.smtp.waitFor((m) => m.parsed.subject?.includes(`[#${number}]`) ?? false);
    expect(ack.envelope.to).toEqual([EMAIL]);
    await kit.app.settle();
    expect(await page.textContent('main')).toContain('abbiamo ricevuto');
    const reply = await kit.app.api(`/tickets/${number}/messages`, {
      body: { author: 'Luca', text: 'Passo domani alle 10.' },
    });
    expect(reply.status).toBeLessThan(300);
    await page.reload();
    expect(await page.textContent('main')).toContain('Passo domani alle 10.');
    await kit.smtp.waitFor((m) => m.parsed.text?.includes('Passo domani alle 10.') ?? false);
    // A mail from the customer joins the same conversation; its HTML is shown sanitised.
    await kit.app.channelContext.ingest(
      inbound({
        from: EMAIL,
        channel: 'email',
        sender: { kind: 'email', address: EMAIL },
        thread: { ticketNumber: number },
        newText: 'Ecco il log',
        html: '<p>Ecco <b>il log</b></p><script>document.title="x"</script><img src="x" onerror="alert(1)">',
      }),
    );
    await page.reload();
    expect(await page.textContent('main')).toContain('Ecco il log');
    expect(await page.locator('main b', { hasText: 'il log' }).count()).toBe(1);
    expect(await page.locator('main script, main [onerror]').count()).toBe(0);
    await axeClean(`/portal/tickets/${number}`);
    await kit.screenshot(page, 'ticket');
    await page.goto('/portal');
    await kit.screenshot(page, 'portal');
  });

  it('turns quick access off (audited), asks for erasure and downloads the data', async () => {
    await page.goto('/portal/account');
    await axeClean('/portal/account');
    await page.click('button:has-text("Disattiva accesso rapido")');
    expect(await page.textContent('main')).toContain('Accesso rapido non attivo');
    const audit = await kit.app.database.sql.query(
      "select action from audit_log where action like 'quick_access.%'",
    );
    expect(audit.rows).toEqual([{ action: 'quick_access.off' }]);
    await page.click('button:has-text("Chiedi la cancellazione")');
    expect(await page.textContent('main')).toContain('Richiesta di cancellazione registrata');
    await kit.syncCookies();
    const data = (await (await kit.withScript.request.get('/portal/export.json')).json()) as {
      customer: { name: string };
      tickets: Array<{ messages: unknown[] }>;
      account: Record<string, unknown>;
    };
    expect(data.customer.name).toBe('Rossi Srl');
    expect(data.tickets[0]!.messages.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(data)).not.toContain('scrypt$');
    await page.click('button:has-text("Crea il link")');
    const deepLink = await page.getAttribute('main a[href^="https://t.me/"]', 'href');
    const code = /start=([\w-]+)$/.exec(deepLink ?? '')![1]!;
    const codes = await kit.app.database.sql.query<{ kind: string }>(
      'select kind from link_codes where code = $1',
      [code],
    );
    expect(codes.rows).toEqual([{ kind: 'telegram' }]);
    expect(await page.locator('main .qr svg').count()).toBe(1);
    await page.goto('/portal/account?lang=en');
    expect(await page.textContent('main')).toContain('Quick access is off');
    await page.goto('/portal/account?lang=it');
  });

  it('refuses a post without the CSRF token', async () => {
    await kit.syncCookies();
    const response = await kit.withScript.request.post('/portal/erasure', { form: { x: '1' } });
    expect(response.status()).toBe(403);
    const signin = await kit.withScript.request.post('/signin', {
      form: { email: EMAIL, password: PASSWORD },
    });
    expect(signin.status()).toBe(403);
  });

  it('shows a new terms version at the next visit and records its acceptance', async () => {
    await kit.app.database.sql.query(
      "insert into terms_versions (version, body, published_at) values ('2', 'Nuovi termini: art. 1 ...', now() + interval '1 second')",
    );
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await page.goto('/portal');
    expect(page.url()).toMatch(/\/terms\/accept$/);
    expect(await page.textContent('main')).toContain('Nuovi termini: art. 1');
    await axeClean('/terms/accept');
    await page.click('main button:has-text("Accetto")');
    expect(page.url()).toMatch(/\/portal$/);
    const { rows } = await kit.app.database.sql.query<{ version: string }>(
      'select version from terms_acceptances order by id',
    );
    expect(rows.map((r) => r.version)).toEqual(['1', '2']);
    for (const path of ['/signin', '/password/forgot', '/register/done']) await axeClean(path);
  });

  it('locks sign-in after repeated failures, even with the right password', async () => {
    await page.click('nav button:has-text("Esci")');
    for (let i = 0; i < 5; i++) {
      await page.goto('/signin');
      await page.fill('[name=email]', EMAIL);
      await page.fill('[name=password]', `sbagliata-${i}-xxxxx`);
      await page.click('main button:has-text("Accedi")');
      expect(await page.textContent('main')).toContain('Email o password non corretti');
    }
    await page.goto('/signin');
    await page.fill('[name=email]', EMAIL);
    await page.fill('[name=password]', PASSWORD);
    await page.click('main button:has-text("Accedi")');
    expect(await page.textContent('main')).toContain('Troppi tentativi');
    expect(page.url()).toMatch(/\/signin$/);
  });
});
