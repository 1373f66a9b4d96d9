import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { ensureAptPackage } from './apt-install.js';

/** Debian's Chromium (shared/TESTING.md); never Playwright's own download (no internet here). */
export const CHROMIUM_PATH = '/usr/bin/chromium';
const INSTALL_HINT =
  'Chromium is not installed (no /usr/bin/chromium): run `sudo apt-get install -y chromium`';

/**
 * Makes sure Debian's Chromium is there, installing it with apt-get when running as root (as on our
 * machines and CI). Not root and missing: prints one line saying how to install it, and throws.
 */
export function ensureChromiumInstalled(): Promise<string> {
  return ensureAptPackage(
    'chromium',
    () => (existsSync(CHROMIUM_PATH) ? CHROMIUM_PATH : undefined),
    INSTALL_HINT,
  );
}

/**
 * A headless Chromium with the flags of shared/TESTING.md; playwright gives it a fresh temp profile.
 * playwright-core is loaded here, not on import: the files that take only web-kit's HTTP helpers
 * are spared its ~0.5 s of loading.
 */
export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const executablePath = await ensureChromiumInstalled();
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}
