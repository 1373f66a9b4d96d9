import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebAdapter } from '../../src/channels/web/web-adapter.js';
import { createLogger } from '../../src/logger.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { WEB_TEST_SETTINGS } from '../helpers/web-kit.js';

// Behind an https reverse proxy (PUBLIC_URL https, TRUST_PROXY): Secure cookies and a strict CSP.
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({
    env: { PUBLIC_URL: 'https://assistenza.example.test', TRUST_PROXY: 'true' },
    adapters: (_context, core) => [
      new WebAdapter({
        core,
        settings: { ...WEB_TEST_SETTINGS, secureCookies: true },
        logger: createLogger('silent'),
        email: () => undefined,
        linkFor: () => undefined,
      }),
    ],
  });
});

afterAll(async () => {
  await app?.close();
});

describe('web pages behind https', () => {
  it('sets HttpOnly, SameSite=Lax, Secure cookies and a CSP that runs no script', async () => {
    const response = await fetch(`${app.url}/signin?lang=en`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(response.status).toBe(200);
    const cookies = response.headers.getSetCookie();
    expect(cookies.length).toBeGreaterThanOrEqual(2);
    for (const cookie of cookies) {
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/; SameSite=Lax/);
    }
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect(response.headers.get('strict-transport-security')).toBeTruthy();
    expect(await response.text()).toContain('<html lang="en">');
  });

  it('leaves the REST API as it was', async () => {
    const response = await app.api('/tickets');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBeNull();
  });
});
