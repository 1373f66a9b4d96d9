import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ImportProgress } from '../../../src/channels/email/import-progress.js';

describe('ImportProgress', () => {
  it('logs mails done / total every few seconds of its clock, and once at the end', () => {
    const lines: Array<{ msg: string; done: number; total: number }> = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    );
    let now = 0;
    const progress = new ImportProgress(logger, 5000, () => now);
    for (let batch = 0; batch < 100; batch++) {
      now += 1000; // one batch of 50 a second
      progress.advance(50);
    }
    progress.finish();
    const reports = lines.filter((line) => line.msg.startsWith('IMAP import:'));
    expect(reports.map((line) => line.done)).toEqual([
      250, 500, 750, 1000, 1250, 1500, 1750, 2000, 2250, 2500, 2750, 3000, 3250, 3500, 3750, 4000, 4250, 4500,
      4750,
    ]);
    expect(reports[0]!.msg).toBe('IMAP import: 250 / 5000 mails');
    expect(lines.at(-1)).toMatchObject({
      msg: 'IMAP import finished: 5000 mails stored',
      done: 5000,
      total: 5000,
    });
  });
});
