import { describe, expect, it } from 'vitest';
import type { ParseMailOptions } from '../../../src/channels/email/parse-mail.js';
import { parseMail } from '../../../src/channels/email/parse-mail.js';
import {
  CUSTOMER_HEADERS,
  MB,
  multipart,
  PARSE_OPTIONS,
  parseHandWritten,
  readFixture,
} from './mail-fixtures.js';

describe('parseMail attachments', () => {
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

  function withAttachments(parts: string[][], options: Partial<ParseMailOptions> = {}) {
    return parseHandWritten(
      [...CUSTOMER_HEADERS, 'Content-Type: multipart/mixed; boundary="mix"'],
      multipart('mix', [['Content-Type: text/plain; charset=utf-8', '', 'Vedi allegati.'], ...parts]),
      options,
    );
  }

  function filePart(name: string | undefined, content: Buffer, type = 'application/octet-stream'): string[] {
    const disposition = name ? `attachment; filename="${name}"` : 'attachment';
    return [
      `Content-Type: ${type}`,
      `Content-Disposition: ${disposition}`,
      'Content-Transfer-Encoding: base64',
      '',
      content.toString('base64'),
    ];
  }

  it('keeps content, name, type and size', async () => {
    const message = await withAttachments([
      filePart('log.txt', Buffer.from('errore 0x80070005'), 'text/plain'),
    ]);
    expect(message.attachments).toHaveLength(1);
    const [attachment] = message.attachments;
    expect(attachment!.filename).toBe('log.txt');
    expect(attachment!.contentType).toBe('text/plain');
    expect(attachment!.size).toBe(17);
    expect(attachment!.content).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(attachment!.content!).toString()).toBe('errore 0x80070005');
    expect(attachment!.omittedReason).toBeUndefined();
  });

  it('names an unnamed attachment attachment-N', async () => {
    const message = await withAttachments([filePart('a.bin', png), filePart(undefined, png)]);
    expect(message.attachments.map((a) => a.filename)).toEqual(['a.bin', 'attachment-2']);
  });

  it('drops the content of a file over the per-file limit, keeping its metadata', async () => {
    const message = await withAttachments(
      [filePart('big.bin', Buffer.alloc(2048, 1)), filePart('small.bin', png)],
      {
        maxAttachmentBytes: 1024,
      },
    );
    const [big, small] = message.attachments;
    expect(big).toMatchObject({
      filename: 'big.bin',
      size: 2048,
      omittedReason: 'over the 1 KB limit per file',
    });
    expect(big!.content).toBeUndefined();
    expect(small!.content).toEqual(new Uint8Array(png));
  });

  it('says "over the 10 MB limit per file" with the default limit', async () => {
    const message = await withAttachments([filePart('huge.iso', Buffer.alloc(10 * MB + 1, 7))]);
    expect(message.attachments[0]).toMatchObject({
      size: 10 * MB + 1,
      omittedReason: 'over the 10 MB limit per file',
    });
    expect(message.attachments[0]!.content).toBeUndefined();
  }, 60_000);

  it('stops keeping content once the per-mail total would be passed', async () => {
    const part = (name: string, size: number) => filePart(name, Buffer.alloc(size, 2));
    const message = await withAttachments([part('a', 600), part('b', 600), part('c', 300)], {
      maxAttachmentBytes: 1000,
      maxMailBytes: 1000,
    });
    expect(message.attachments.map((a) => a.content !== undefined)).toEqual([true, false, true]);
    expect(message.attachments[1]!.omittedReason).toBe('over the 1000 bytes limit per message');
  });

  it('keeps inline images with their content id, and their cid: link in the HTML', async () => {
    const message = await parseHandWritten(
      [...CUSTOMER_HEADERS, 'Content-Type: multipart/related; boundary="rel"'],
      multipart('rel', [
        ['Content-Type: text/html; charset=utf-8', '', '<p>Ecco lo schermo:</p><img src="cid:schermo@pc">'],
        [
          'Content-Type: image/png; name="schermo.png"',
          'Content-Disposition: inline; filename="schermo.png"',
          'Content-ID: <schermo@pc>',
          'Content-Transfer-Encoding: base64',
          '',
          png.toString('base64'),
        ],
      ]),
    );
    expect(message.attachments).toHaveLength(1);
    expect(message.attachments[0]).toMatchObject({
      filename: 'schermo.png',
      contentType: 'image/png',
      contentId: 'schermo@pc',
      inline: true,
    });
    expect(message.html).toContain('src="cid:schermo@pc"');
    expect(message.fullText).toContain('Ecco lo schermo:');
  });

  it('the nodemailer sample keeps its two embedded images inline', async () => {
    const message = await parseMail(readFixture('mime', 'mailparser-nodemailer.eml'), PARSE_OPTIONS);
    const inline = message.attachments.filter((a) => a.inline);
    expect(inline.map((a) => a.contentId).sort()).toEqual(['note@example.com', 'nyan@example.com']);
    expect(message.html).toContain('cid:note@example.com');
  });
});

describe('attachments over the cap while parsing (issue 17 item 2)', () => {
  it('counts an attachment over the cap without holding it: its size is whole, its content absent, the next one kept', async () => {
    const { parseMailCapped } = await import('../../../src/channels/email/capped-parser.js');
    const big = Buffer.alloc(3 * MB, 0x41);
    const small = Buffer.from('piccolo');
    const raw = Buffer.from(
      [
        ...CUSTOMER_HEADERS,
        'Content-Type: multipart/mixed; boundary="mix"',
        '',
        multipart('mix', [
          ['Content-Type: text/plain; charset=utf-8', '', 'Vedi allegati.'],
          [
            'Content-Type: application/octet-stream; name="big.bin"',
            'Content-Transfer-Encoding: base64',
            '',
            big.toString('base64').replace(/.{76}/g, '$&\r\n'),
          ],
          [
            'Content-Type: text/plain; name="small.txt"',
            'Content-Disposition: attachment; filename="small.txt"',
            '',
            small.toString(),
          ],
        ]),
      ].join('\r\n'),
    );
    const parsed = await parseMailCapped(raw, {}, MB);
    expect(parsed.text?.trim()).toBe('Vedi allegati.');
    expect(parsed.attachments.map((a) => [a.filename, a.size, a.content?.length])).toEqual([
      ['big.bin', 3 * MB, undefined],
      ['small.txt', small.length, small.length],
    ]);
    const message = await parseMail(raw, { ...PARSE_OPTIONS, maxAttachmentBytes: MB });
    expect(message.attachments.map((a) => [a.filename, a.size, a.content?.length, a.omittedReason])).toEqual([
      ['big.bin', 3 * MB, undefined, 'over the 1 MB limit per file'],
      ['small.txt', small.length, small.length, undefined],
    ]);
  });
});
