import { ensureDovecotInstalled } from './dovecot.js';

/**
 * Runs once before all test files: brings Dovecot from Debian when it is missing and we are root
 * (as on our machines and CI), so parallel test files never run apt at the same time.
 */
export default async function setup(): Promise<void> {
  await ensureDovecotInstalled();
}
