import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createConsoleLogger } from '../src/logger.js';

/** A stand-in for stdout: collects what is written; `isTTY` as a terminal or a pipe would say. */
function output(isTTY: boolean) {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    }),
    { isTTY },
  );
  return { stream, lines: () => text.split('\n').filter(Boolean) };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes start with ESC
const ansi = /\u001b\[[0-9;]*m/g;

async function logSample(format: 'auto' | 'json' | 'pretty', isTTY: boolean) {
  const out = output(isTTY);
  const logger = await createConsoleLogger('info', format, out.stream);
  logger.info(
    { channel: 'email', password: 'hunter2-secret', text: 'Buongiorno, il PC…' },
    'channel email: on',
  );
  logger.debug('below the level');
  logger.flush();
  await new Promise((resolve) => setImmediate(resolve));
  return out.lines();
}

describe('log lines', () => {
  it('are readable in a terminal by default, with secrets and message text still redacted', async () => {
    const lines = await logSample('auto', true);
    expect(lines).toHaveLength(1);
    const plain = lines[0]!.replace(ansi, '');
    expect(plain).not.toBe(lines[0]); // coloured for the terminal
    expect(plain).toMatch(/^\[\d{2}:\d{2}:\d{2}\] INFO: channel email: on/);
    expect(() => JSON.parse(plain)).toThrow();
    expect(plain).not.toContain('hunter2-secret');
    expect(plain).not.toContain('Buongiorno');
    expect(plain).toContain('[redacted]');
  });

  it('are JSON objects, one a line, when stdout is a file or a pipe', async () => {
    const lines = await logSample('auto', false);
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({
      level: 30,
      msg: 'channel email: on',
      channel: 'email',
      password: '[redacted]',
    });
    expect(lines[0]).not.toContain('hunter2-secret');
  });

  it('follow LOG_FORMAT whatever stdout is', async () => {
    const json = await logSample('json', true);
    expect(JSON.parse(json[0]!)).toMatchObject({ msg: 'channel email: on' });
    const pretty = await logSample('pretty', false);
    expect(pretty[0]).toMatch(/^\[\d{2}:\d{2}:\d{2}\] INFO: channel email: on/); // no colour codes in a file
    expect(pretty[0]).not.toContain('hunter2-secret');
  });

  it('LOG_FORMAT refuses other values, saying which ones it takes', () => {
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).env.LOG_FORMAT).toBe('pretty');
    expect(loadConfig({}).env.LOG_FORMAT).toBe('auto');
    expect(() => loadConfig({ LOG_FORMAT: 'fancy' })).toThrow(/^LOG_FORMAT: use auto, json or pretty/);
  });
});
