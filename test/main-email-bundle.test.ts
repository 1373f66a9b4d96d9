import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle } from '../scripts/build.mjs';
import { DEFAULT_DOVECOT_USER, type DovecotServer, startDovecot } from './helpers/dovecot.js';
import { nestedHtmlMail } from './helpers/hostile-mail.js';
import { startScript } from './helpers/start-script.js';
import { seedEmbeddedDataDir } from './helpers/store-template.js';

/**
 * The mail parse worker from the esbuild bundle `npm start` runs: the app compiled by
 * scripts/build.mjs (into a directory of this test's own, so it does not race main.test.ts over
 * dist/) reads mail from a real Dovecot, parsing it in the bundled worker.
 */
const ROOT = path.resolve(import.meta.dirname, '..');
const outdir = path.join(ROOT, 'node_modules', '.cache', `helpdesk-bundle-${process.pid}`);
const dataDir = mkdtempSync(path.join(tmpdir(), 'helpdesk-bundle-'));
let dovecot: DovecotServer;
let child: ChildProcess | undefined;

beforeAll(async () => {
  // The data directory starts as the migrated template: this test is about the bundled worker,
  // not about creating the store (main.test.ts starts on an empty one).
  [dovecot] = await Promise.all([
    startDovecot(),
    bundle('src/main.ts', outdir),
    seedEmbeddedDataDir(dataDir),
  ]);
}, 60_000);
afterAll(async () => {
  child?.kill('SIGKILL');
  await dovecot?.stop();
  rmSync(outdir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

const script = startScript();

describe('the compiled app', () => {
  it('parses mail in its bundled worker thread, and keeps a mail over the parse budget raw', async () => {
    const { user, password } = DEFAULT_DOVECOT_USER;
    await dovecot.appendMessage(
      user,
      password,
      'From: Sconosciuto <nuovo@example.org>\r\nSubject: Richiesta\r\nMessage-ID: <bundle-1@example.org>\r\n\r\nBuongiorno, il PC non parte.\r\n',
    );
    // Seconds of sanitising on one thread: over the 1 s budget set below.
    await dovecot.appendMessage(user, password, nestedHtmlMail('bundle-2', 2 * 1024 * 1024));
    let output = '';
    child = spawn(process.execPath, [...script.nodeOptions, path.join(outdir, 'main.js')], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        ...script.env,
        PORT: '0',
        DATA_DIR: dataDir,
        IMAP_HOST: '127.0.0.1',
        IMAP_PORT: String(dovecot.port),
        IMAP_SECURE: 'false',
        IMAP_USER: user,
        IMAP_PASSWORD: password,
        // The mails are in the mailbox before the first start: import them (IMAP_IMPORT_SINCE).
        IMAP_IMPORT_SINCE: '2000-01-01',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: '9',
        MAIL_FROM: user,
        MAIL_PARSE_TIMEOUT_S: '1',
        // Start-up steps with their duration in ms: if the start is slow, the failure says where.
        LOG_LEVEL: 'debug',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // Generous: a start took 40-50 s (then creating the store) on a 2-core machine with a load
    // average of 20, and over 90 s once on CI.
    const deadline = Date.now() + 240_000;
    let url: string | undefined;
    while (!url) {
      url = /listening on (http:\/\/[\d.:]+)/.exec(output)?.[1];
      if (Date.now() > deadline) throw new Error(`the app did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const token = readFileSync(path.join(dataDir, 'api-token'), 'utf8').trim();
    const get = async (what: string) => {
      const response = await fetch(`${url}/api/v1/${what}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return JSON.stringify(await response.json());
    };
    while (!(await get('unmatched')).includes('il PC non parte')) {
      if (Date.now() > deadline) throw new Error(`the mail was not stored:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    while (!(await get('alerts')).includes('not parsed within 1000 ms')) {
      if (Date.now() > deadline) throw new Error(`the slow mail was not kept raw:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await get('unmatched')).not.toContain('bundle-2');
  }, 300_000);
});
