import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScript } from './helpers/start-script.js';

/** `npm start` as a user runs it (prestart build, then dist/main.js): a real process on a data dir, stopped with signals. */
const dataDir = mkdtempSync(path.join(tmpdir(), 'helpdesk-main-'));
const children: ChildProcess[] = [];
const script = startScript();

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
});
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, [...script.nodeOptions, script.entry], {
    // No DATABASE_URL: `npm start` on a fresh clone uses the embedded store.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...script.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // A first start creates the embedded store: 40-50 s on a 2-core machine under heavy load.
  const waitFor = async (pattern: RegExp, timeoutMs = 120_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(output)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return output.match(pattern)!;
  };
  return { child, exited, waitFor, output: () => output };
}

describe('npm start', () => {
  it('stops at once with one line naming a bad setting', async () => {
    const run = start({ PORT: 'eighty', DATA_DIR: dataDir });
    expect(await run.exited).toBe(78);
    expect(run.output().trim()).toMatch(/^Configuration error: PORT: use a whole number/);
  });

  it('refuses a data directory other users can read, saying which chmod to run', async () => {
    const open = mkdtempSync(path.join(tmpdir(), 'helpdesk-open-'));
    try {
      chmodSync(open, 0o755);
      const run = start({ PORT: '0', DATA_DIR: open });
      expect(await run.exited).toBe(1);
      expect(run.output()).toContain(
        `Cannot start: the data directory ${open} can be read by other users (mode 0755)`,
      );
      expect(run.output()).toContain(`chmod 700 '${open}'`);
    } finally {
      rmSync(open, { recursive: true, force: true });
    }
  });

  it('starts on the embedded store, refuses a second process on the same data, and keeps data across restarts', async () => {
    const first = start({ PORT: '0', DATA_DIR: dataDir });
    const [, url] = await first.waitFor(/listening on (http:\/\/[\d.:]+)/);
    await first.waitFor(/channel email: off \(IMAP_HOST/);
    await first.waitFor(/channel telegram: off \(TELEGRAM_BOT_TOKEN not set\)/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const token = readFileSync(path.join(dataDir, 'api-token'), 'utf8').trim();
    const created = await fetch(`${url}/api/v1/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Persistente',
        identities: [{ kind: 'email', address: 'p@example.test' }],
      }),
    });
    expect(created.status).toBe(201);

    const second = start({ PORT: '0', DATA_DIR: dataDir });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/already in use by process \d+/);

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('stopped');

    const again = start({ PORT: '0', DATA_DIR: dataDir });
    const [, url2] = await again.waitFor(/listening on (http:\/\/[\d.:]+)/);
    const list = await fetch(`${url2}/api/v1/customers`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await list.json()) as { customers: Array<{ name: string }> };
    expect(body.customers.map((c) => c.name)).toEqual(['Persistente']);
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
  }, 300_000);

  it('writes JSON lines to a pipe, and readable lines with LOG_FORMAT=pretty, to the last one', async () => {
    const piped = start({ PORT: '0', DATA_DIR: dataDir });
    await piped.waitFor(/listening on/);
    piped.child.kill('SIGTERM');
    expect(await piped.exited).toBe(0);
    const lines = piped.output().trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(expect.arrayContaining(['stopped']));

    const pretty = start({ PORT: '0', DATA_DIR: dataDir, LOG_FORMAT: 'pretty' });
    await pretty.waitFor(/^\[\d\d:\d\d:\d\d\] INFO: helpdesk listening on http/m);
    pretty.child.kill('SIGTERM');
    expect(await pretty.exited).toBe(0);
    expect(pretty.output()).toMatch(
      /^\[\d\d:\d\d:\d\d\] INFO: channel telegram: off \(TELEGRAM_BOT_TOKEN not set\)/m,
    );
    expect(pretty.output().trim().split('\n').at(-1)).toMatch(/INFO: stopped$/);
  }, 300_000);
});
