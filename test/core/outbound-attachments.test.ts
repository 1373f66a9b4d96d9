import { describe, expect, it } from 'vitest';
import { mailAttachmentLimits } from '../../src/channels/email/compose-mail.js';
import type { InboundAttachment } from '../../src/core/channel.js';
import { base64Bytes, fitAttachments } from '../../src/core/outbound-attachments.js';

const file = (filename: string, size: number): InboundAttachment => ({
  filename,
  contentType: 'application/octet-stream',
  size,
  content: new Uint8Array(size),
});

describe('fitting a reply’s files to the customer’s channel', () => {
  it('counts files base64-encoded against a mail’s room, keeping later files that still fit', () => {
    expect(base64Bytes(57)).toBe(78); // one full 76-character line and its CRLF
    const limits = { maxFileBytes: 1000, maxTotalBytes: 1400 };
    const fitted = fitAttachments([file('a', 600), file('b', 600), file('c', 200)], limits, 'email');
    expect(fitted.map((f) => [f.filename, f.content !== undefined])).toEqual([
      ['a', true],
      ['b', false],
      ['c', true],
    ]);
    expect(fitted[1]!.omittedReason).toMatch(/limit per message of email/);
  });

  it('leaves out a file over the per-file limit, and every file where the channel carries none', () => {
    const [big] = fitAttachments([file('big', 2000)], { maxFileBytes: 1000 }, 'telegram');
    expect(big!.content).toBeUndefined();
    expect(big!.omittedReason).toMatch(/per file of telegram/);
    const none = fitAttachments([file('x', 1)], undefined, 'web');
    expect(none[0]!.omittedReason).toBe('web cannot carry files');
  });

  it('gives a mail of MAX_MAIL_MB its files within the size less room for headers and text', () => {
    expect(mailAttachmentLimits(25 * 1024 * 1024)).toEqual({
      maxFileBytes: 25 * 1024 * 1024 - 256 * 1024,
      maxTotalBytes: 25 * 1024 * 1024 - 256 * 1024,
    });
  });
});
