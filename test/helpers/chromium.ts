import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (shared/TESTING.md); never Playwright's own download (no internet here). */
export const CHROMIUM_PATH = '/usr/bin/chromium';
const INSTALL_HINT =
  'Chromium is not installed (no /usr/bin/chromium): run `sudo apt-get install -y chromium`';

let installPromise: Promise<string> | undefined;

function run(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.on('error', (err) => resolve({ code: -1, output: `${output}${err.message}` }));
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

async function install(): Promise<string> {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  if (process.getuid?.() !== 0) {
    console.warn(INSTALL_HINT);
    throw new Error(INSTALL_HINT);
  }
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  let result = await run('apt-get', [...lock, 'install', '-y', 'chromium']);
  if (result.code !== 0) {
    await run('apt-get', [...lock, 'update']);
    result = await run('apt-get', [...lock, 'install', '-y', 'chromium']);
  }
  if (result.code !== 0 || !existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `apt-get install -y chromium failed (exit ${result.code}):\n${result.output.slice(-2000)}`,
    );
  }
  return CHROMIUM_PATH;
}

/**
 * Makes sure Debian's Chromium is there, installing it with apt-get when running as root (as on our
 * machines and CI). Not root and missing: prints one line saying how to install it, and throws.
 */
export function ensureChromiumInstalled(): Promise<string> {
  installPromise ??= install().catch((error: unknown) => {
    installPromise = undefined;
    throw error;
  });
  return installPromise;
}

/** A headless Chromium with the flags of shared/TESTING.md; playwright gives it a fresh temp profile. */
export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const executablePath = await ensureChromiumInstalled();
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
