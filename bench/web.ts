import type { RunningApp } from '../src/app.js';
import { EmailAdapter } from '../src/channels/email/email-adapter.js';
import { WebAdapter } from '../src/channels/web/web-adapter.js';
import { toInboundMessage } from '../src/channels/web/web-inbound.js';
import type { ChannelAdapter } from '../src/core/channel.js';
import { createLogger } from '../src/logger.js';
import { setPassword } from '../src/web/accounts.js';
import { startDovecot } from '../test/helpers/dovecot.js';
import { emailSettingsFor } from '../test/helpers/email-settings.js';
import { startSmtpCapture } from '../test/helpers/smtp-capture.js';
import { WEB_TEST_SETTINGS } from '../test/helpers/web-kit.js';
import { openBenchStore, startBenchApp } from './bench-app.js';

export interface WebResult {
  /** GET /portal for a signed-in customer with 200 tickets, server time to the whole page, ms. */
  portalPage: number[];
  /** POST /register → the set-password mail accepted by the SMTP server, ms. */
  registrationToMail: number[];
}

/** A cookie jar good enough for one site. */
class Jar {
  private cookies = new Map<string, string>();
  take(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
  }
  get header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

async function formToken(url: string, jar: Jar): Promise<string> {
  const response = await fetch(url, { headers: { cookie: jar.header } });
  jar.take(response);
  return /name="_csrf" value="([^"]+)"/.exec(await response.text())![1]!;
}

async function post(url: string, jar: Jar, fields: Record<string, string>): Promise<Response> {
  const response = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie: jar.header, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  jar.take(response);
  return response;
}

/**
 * The web channel: the app with the email and web channels (IMAP on a local Dovecot, SMTP to a
 * capture server in this process). Registrations through the form, timed until the set-password
 * mail is accepted by SMTP; then one customer with 200 web tickets, and their portal page timed.
 */
export async function benchWeb(options: { registrations: number; pageLoads: number }): Promise<WebResult> {
  const [dovecot, smtp] = await Promise.all([startDovecot(), startSmtpCapture()]);
  const store = await openBenchStore();
  let app: RunningApp | undefined;
  try {
    const adapters: ChannelAdapter[] = [];
    app = await startBenchApp(store, {
      env: { PUBLIC_URL: 'http://portal.bench.test', WORKER_POLL_MS: '500' },
      adapters: (_context, core) => {
        adapters.push(new EmailAdapter(emailSettingsFor(dovecot, { smtp }), createLogger('silent')));
        adapters.push(
          new WebAdapter({
            core,
            settings: WEB_TEST_SETTINGS,
            logger: createLogger('silent'),
            email: () => adapters[0],
            linkFor: () => undefined,
          }),
        );
        return adapters;
      },
    });
    const base = app.url;
    const registrationToMail: number[] = [];
    for (let i = 0; i < options.registrations; i++) {
      const jar = new Jar();
      const token = await formToken(`${base}/register`, jar);
      const email = `bench${i}@cliente.example`;
      const started = performance.now();
      const response = await post(`${base}/register`, jar, {
        _csrf: token,
        kind: 'company',
        name: `Bench ${i} Srl`,
        vatNumber: '12345678903',
        contactName: 'Bench',
        email,
        phone: '+39 333 1234567',
        termsVersion: '1',
        acceptTerms: 'yes',
        acceptPrivacy: 'yes',
      });
      if (response.status !== 303) throw new Error(`registration answered ${response.status}`);
      await smtp.waitFor((m) => m.envelope.to.includes(email), 10_000);
      registrationToMail.push(performance.now() - started);
    }
    // One customer, signed in, with 200 tickets opened from the portal.
    const mail = smtp.messages.find((m) => m.envelope.to.includes('bench0@cliente.example'))!;
    const setToken = decodeURIComponent(/token=([^\s]+)/.exec(mail.parsed.text ?? '')![1]!);
    await setPassword(app.core, setToken, 'bench-password-123');
    for (let i = 0; i < 200; i++) {
      await app.channelContext.ingest(
        toInboundMessage({
          login: 'bench0@cliente.example',
          formNonce: `n${i}`,
          subject: `Problema numero ${i}`,
          text: `Descrizione del problema ${i}`,
          attachments: [],
          receivedAt: new Date(),
        }),
      );
    }
    const jar = new Jar();
    const token = await formToken(`${base}/signin`, jar);
    const signin = await post(`${base}/signin`, jar, {
      _csrf: token,
      email: 'bench0@cliente.example',
      password: 'bench-password-123',
    });
    if (signin.headers.get('location') !== '/portal') throw new Error('bench sign-in failed');
    const portalPage: number[] = [];
    for (let i = 0; i < options.pageLoads + 5; i++) {
      const started = performance.now();
      const response = await fetch(`${base}/portal`, { headers: { cookie: jar.header } });
      const html = await response.text();
      if (!html.includes('Problema numero 199')) throw new Error('portal page without the tickets');
      if (i >= 5) portalPage.push(performance.now() - started); // the first loads warm up
    }
    return { portalPage, registrationToMail };
  } finally {
    await app?.stop();
    await store.drop();
    await Promise.all([dovecot.stop(), smtp.stop()]);
  }
}
