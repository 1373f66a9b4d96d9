import { ensureChromiumInstalled } from './chromium.js';
import { ensureDovecotInstalled } from './dovecot.js';
import {
  createServerTemplate,
  dropServerTemplate,
  embeddedTemplateFile,
  SERVER_TEMPLATE_ENV,
} from './store-template.js';

/**
 * Runs once before all test files: brings Dovecot and Chromium from Debian when they are missing
 * and we are root (as on our machines and CI), so parallel test files never run apt at the same
 * time. Not root: each prints one line saying how to install it, and the files needing it fail.
 * Then migrates the store once for all test files (store-template.ts); the returned teardown
 * drops the server's template database.
 */
export default async function setup(): Promise<() => Promise<void>> {
  await ensureDovecotInstalled();
  await ensureChromiumInstalled().catch(() => undefined);
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    await embeddedTemplateFile();
    return async () => {};
  }
  const template = await createServerTemplate(serverUrl);
  // Test processes start after global setup and inherit this environment.
  process.env[SERVER_TEMPLATE_ENV] = template;
  return async () => {
    delete process.env[SERVER_TEMPLATE_ENV];
    await dropServerTemplate(serverUrl, template);
  };
}
