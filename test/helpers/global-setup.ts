import { ensureChromiumInstalled } from './chromium.js';
import { ensureDovecotInstalled } from './dovecot.js';

/**
 * Runs once before all test files: brings Dovecot and Chromium from Debian when they are missing
 * and we are root (as on our machines and CI), so parallel test files never run apt at the same
 * time. Not root: each prints one line saying how to install it, and the files needing it fail.
 */
export default async function setup(): Promise<void> {
  await ensureDovecotInstalled();
  await ensureChromiumInstalled().catch(() => undefined);
}
