import { describe, expect, it } from 'vitest';
import { parseMail } from '../../../src/channels/email/parse-mail.js';
import { decodeTnef, tnefStructureFits } from '../../../src/channels/email/tnef.js';
import { buildTnef } from '../../helpers/tnef-builder.js';
import { PARSE_OPTIONS, rawMail } from './mail-fixtures.js';

/** An Outlook mail whose only content is a winmail.dat (invented people and domains). */
function outlookMail(tnef: Buffer, text?: string): Buffer {
  const parts = [
    '--tt',
    ...(text === undefined ? [] : ['Content-Type: text/plain; charset=utf-8', '', text, '--tt']),
    'Content-Type: application/ms-tnef; name="winmail.dat"',
    'Content-Disposition: attachment; filename="winmail.dat"',
    'Content-Transfer-Encoding: base64',
    '',
    tnef.toString('base64').replace(/(.{76})/g, '$1\n'),
    '--tt--',
  ];
  return rawMail(
    [
      'From: Paolo Neri <paolo.neri@studio-neri.example>',
      'To: assistenza@negozio.example',
      'Subject: Preventivo firmato',
      'Message-ID: <outlook.1@studio-neri.example>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="tt"',
    ],
    parts.join('\n'),
  );
}

const PDF = Buffer.from('%PDF-1.4\n% preventivo firmato\n');
const INVITE = Buffer.from(
  'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Sopralluogo\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n',
);

describe('winmail.dat (application/ms-tnef)', () => {
  it('becomes its files, and its body when the mail has no text of its own', async () => {
    const tnef = buildTnef({
      files: [
        { filename: 'preventivo-firmato.pdf', content: PDF },
        { filename: 'invito.ics', content: INVITE },
      ],
      body: 'Buongiorno, vi mando il preventivo firmato.',
    });
    const message = await parseMail(outlookMail(tnef), PARSE_OPTIONS);
    expect(message.attachments.map((a) => [a.filename, a.contentType, a.size])).toEqual([
      ['preventivo-firmato.pdf', 'application/pdf', PDF.length],
      ['invito.ics', 'text/calendar', INVITE.length],
    ]);
    expect(Buffer.from(message.attachments[0]!.content!)).toEqual(PDF);
    expect(message.newText).toBe('Buongiorno, vi mando il preventivo firmato.');
  });

  it('keeps the mail’s own text when it has one', async () => {
    const tnef = buildTnef({
      files: [{ filename: 'foto.jpg', content: Buffer.from([0xff, 0xd8, 0xff]) }],
      body: 'dentro',
    });
    const message = await parseMail(outlookMail(tnef, 'Ecco la foto.'), PARSE_OPTIONS);
    expect(message.newText).toBe('Ecco la foto.');
    expect(message.attachments.map((a) => a.filename)).toEqual(['foto.jpg']);
  });

  it('strips directories and control characters from the names inside', async () => {
    const tnef = buildTnef({
      files: [{ filename: '..\\..\\Windows\\evil\u0007.exe', content: Buffer.from('MZ') }],
    });
    const contents = await decodeTnef(tnef);
    expect(contents?.files.map((f) => f.filename)).toEqual(['evil.exe']);
  });

  it('a damaged winmail.dat is kept as it came, and nothing else is lost', async () => {
    const tnef = buildTnef({ files: [{ filename: 'a.pdf', content: PDF }], body: 'testo' });
    const truncated = tnef.subarray(0, tnef.length - 10);
    const message = await parseMail(outlookMail(truncated, 'Vedi allegato.'), PARSE_OPTIONS);
    expect(message.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      ['winmail.dat', 'application/ms-tnef'],
    ]);
    expect(Buffer.from(message.attachments[0]!.content!)).toEqual(truncated);
    expect(message.newText).toBe('Vedi allegato.');
  });

  it('a length pointing past the end (a hostile file) is refused before decoding', async () => {
    const hostile = buildTnef({ files: [{ filename: 'a.pdf', content: PDF }] });
    hostile.writeUInt32LE(0x7fffffff, 6 + 5);
    expect(tnefStructureFits(hostile)).toBe(false);
    expect(await decodeTnef(hostile)).toBeUndefined();
    const mapiCount = buildTnef({ body: 'x' });
    // The MAPI block's property count, far larger than the block.
    const mapiAt = mapiCount.indexOf(Buffer.from([0x01, 0x03, 0x90]));
    mapiCount.writeUInt32LE(0x7fffffff, mapiAt + 9);
    expect(tnefStructureFits(mapiCount)).toBe(false);
  });

  it('a winmail.dat over the attachment cap is not opened and keeps the cap’s note', async () => {
    const tnef = buildTnef({ files: [{ filename: 'grande.bin', content: Buffer.alloc(4096, 1) }] });
    const message = await parseMail(outlookMail(tnef, 'Grande.'), {
      ...PARSE_OPTIONS,
      maxAttachmentBytes: 1024,
    });
    expect(message.attachments).toHaveLength(1);
    expect(message.attachments[0]!.filename).toBe('winmail.dat');
    expect(message.attachments[0]!.omittedReason).toContain('limit per file');
  });

  it('leaves String.prototype.replaceAll as the language defines it', async () => {
    await decodeTnef(buildTnef({ body: 'x' }));
    expect('a.b.c'.replaceAll('.', '-')).toBe('a-b-c');
  });
});
