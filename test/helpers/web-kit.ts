import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { EmailAdapter } from '../../src/channels/email/email-adapter.js';
import { WebAdapter } from '../../src/channels/web/web-adapter.js';
import type { WebChannelSettings } from '../../src/config.js';
import type { ChannelAdapter } from '../../src/core/channel.js';
import type { CoreContext } from '../../src/core/core-context.js';
import { createLogger } from '../../src/logger.js';
import { launchChromium } from './chromium.js';
import { type DovecotServer, startDovecot } from './dovecot.js';
import { emailSettingsFor } from './email-settings.js';
import { type SmtpCapture, startSmtpCapture } from './smtp-capture.js';
import { startTestApp, type TestApp } from './test-app.js';

/** Screenshots of browser tests land here (gitignored), kept by CI as artefacts. */
export const ARTIFACTS_DIR = path.resolve('test-artifacts/screenshots');

export const WEB_TEST_SETTINGS: WebChannelSettings = {
  secureCookies: false,
  signInAttempts: 5,
  lockoutMs: 15 * 60_000,
  sessionMaxAgeMs: 3600_000,
  maxAttachmentBytes: 2 * 1024 * 1024,
  defaultLocale: 'it',
};

/**
 * The web channel with no mail behind it (what the core sends a web identity is only shown in
 * the portal), for HTTP tests of the portal and the staff pages; `options` overrides any part.
 */
export function webOnlyAdapter(
  core: CoreContext,
  options: Partial<ConstructorParameters<typeof WebAdapter>[0]> = {},
): WebAdapter {
  return new WebAdapter({
    core,
    settings: WEB_TEST_SETTINGS,
    logger: createLogger('silent'),
    email: () => undefined,
    linkFor: () => undefined,
    ...options,
  });
}

export interface WebKit {
  app: TestApp;
  smtp: SmtpCapture;
  dovecot: DovecotServer;
  /** A browser context without JavaScript (the portal must work without it). */
  noScript: BrowserContext;
  /** A context with JavaScript, for axe-core; `syncCookies()` signs it in like `noScript`. */
  withScript: BrowserContext;
  syncCookies(): Promise<void>;
  /** The path and query of the first link to this server in a mail's text. */
  linkIn(text: string): string;
  screenshot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

/** The app with the email and web channels on a real Dovecot and SMTP capture, and one Chromium. */
export async function startWebKit(): Promise<WebKit> {
  const [dovecot, smtp, chromium] = await Promise.all([startDovecot(), startSmtpCapture(), launchChromium()]);
  const adapters: ChannelAdapter[] = [];
  const app = await startTestApp({
    env: { PUBLIC_URL: 'http://portal.example.test' },
    adapters: (_context, core) => {
      adapters.push(
        new EmailAdapter(emailSettingsFor(dovecot, { smtp }), createLogger('silent'), {
          idleDelayMs: 100,
          pollIntervalMs: 2000,
        }),
      );
      adapters.push(
        new WebAdapter({
          core,
          settings: WEB_TEST_SETTINGS,
          logger: createLogger('silent'),
          email: () => adapters[0],
          // As the Telegram adapter's deepLink does (the Telegram channel itself is not started here).
          linkFor: (_kind, code) => `https://t.me/helpdesk_test_bot?start=${code}`,
        }),
      );
      return adapters;
    },
    settings: { messageIdDomain: 'example.test' },
  });
  const noScript = await chromium.browser.newContext({
    javaScriptEnabled: false,
    baseURL: app.url,
    viewport: { width: 360, height: 740 },
  });
  const withScript = await chromium.browser.newContext({
    baseURL: app.url,
    viewport: { width: 360, height: 740 },
  });
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return {
    app,
    smtp,
    dovecot,
    noScript,
    withScript,
    async syncCookies() {
      await withScript.clearCookies();
      await withScript.addCookies(await noScript.cookies());
    },
    linkIn(text) {
      const match = /http:\/\/portal\.example\.test(\/\S+)/.exec(text);
      if (!match) throw new Error(`no portal link in: ${text}`);
      return match[1]!;
    },
    async screenshot(page, name) {
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
    },
    async close() {
      await chromium.close();
      await app.close();
      await Promise.all([dovecot.stop(), smtp.stop()]);
    },
  };
}

const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** Runs axe-core on the page (injected from node_modules, never a CDN); the serious and critical violations. */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axeSource }).catch(async () => {
    const { readFile } = await import('node:fs/promises');
    await page.evaluate(await readFile(axeSource, 'utf8'));
  });
  const results = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(): Promise<{
            violations: Array<{ id: string; impact: string; nodes: Array<{ target: unknown }> }>;
          }>;
        };
      }
    ).axe;
    return (await axe.run()).violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.map((n) => JSON.stringify(n.target)),
    }));
  });
  return results
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.targets.join(', ')}`);
}
