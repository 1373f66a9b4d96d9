/**
 * Hostile mails built in code (no multi-megabyte fixtures): each one is a shape that made a
 * parser or sanitiser slow, deep or large. Used by the tests and by `npm run bench`.
 */

const MB = 1024 * 1024;

function mail(id: string, headers: string[], body: string): Buffer {
  return Buffer.from(
    [
      'From: "Mittente" <hostile@example.org>',
      'To: assistenza@negozio.it',
      `Subject: hostile ${id}`,
      `Message-ID: <${id}@hostile.example.org>`,
      'Date: Mon, 10 Mar 2025 09:30:00 +0100',
      'MIME-Version: 1.0',
      ...headers,
      '',
      body,
    ].join('\r\n'),
  );
}

/** `<div>` nested `depth` deep around one word, as an HTML body of about `bytes` bytes. */
export function nestedHtmlMail(id: string, bytes: number): Buffer {
  const depth = Math.floor(bytes / 11);
  const html = `${'<div>'.repeat(depth)}aiuto${'</div>'.repeat(depth)}`;
  return mail(id, ['Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: 8bit'], html);
}

/** Nested `<table>`s, `<b>`s and unclosed tags mixed, as sanitize-html likes least. */
export function tagSoupMail(id: string, bytes: number): Buffer {
  const unit = '<table><tr><td><b><i><a href="http://x">';
  const html = unit.repeat(Math.floor(bytes / unit.length));
  return mail(id, ['Content-Type: text/html; charset=utf-8'], html);
}

/** `count` header fields. */
export function manyHeadersMail(id: string, count: number): Buffer {
  const headers = Array.from({ length: count }, (_, i) => `X-Filler-${i}: ${'v'.repeat(20)}`);
  return mail(id, headers, 'Corpo breve.');
}

/** One text line of `bytes` bytes, no line breaks at all. */
export function longLineMail(id: string, bytes: number): Buffer {
  return mail(id, ['Content-Type: text/plain; charset=utf-8'], 'a'.repeat(bytes));
}

/** A multipart/mixed mail of `count` small parts. */
export function manyPartsMail(id: string, count: number): Buffer {
  const boundary = 'b0undary';
  const parts = Array.from(
    { length: count },
    (_, i) =>
      `--${boundary}\r\nContent-Type: text/plain; name="p${i}.txt"\r\nContent-Disposition: attachment; filename="p${i}.txt"\r\n\r\nparte ${i}`,
  );
  return mail(
    id,
    [`Content-Type: multipart/mixed; boundary="${boundary}"`],
    `${parts.join('\r\n')}\r\n--${boundary}--`,
  );
}

/** multipart inside multipart `depth` levels deep. */
export function deepMultipartMail(id: string, depth: number): Buffer {
  let body = 'Content-Type: text/plain\r\n\r\nfondo';
  for (let level = depth; level > 0; level--) {
    body = `Content-Type: multipart/mixed; boundary="l${level}"\r\n\r\n--l${level}\r\n${body}\r\n--l${level}--`;
  }
  const [head, ...rest] = body.split('\r\n\r\n');
  return mail(id, [head!], rest.join('\r\n\r\n'));
}

/** One base64 attachment of `bytes` decoded bytes, in 76-character lines. */
export function bigBase64Mail(id: string, bytes: number): Buffer {
  const boundary = 'b64';
  const data = Buffer.alloc(bytes, 0x5a).toString('base64').replace(/.{76}/g, '$&\r\n');
  return mail(
    id,
    [`Content-Type: multipart/mixed; boundary="${boundary}"`],
    [
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'In allegato il file.',
      `--${boundary}`,
      'Content-Type: application/octet-stream; name="big.bin"',
      'Content-Disposition: attachment; filename="big.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      data,
      `--${boundary}--`,
    ].join('\r\n'),
  );
}

/** A References header with `count` Message-IDs and a To with as many addresses. */
export function hugeAddressListsMail(id: string, count: number): Buffer {
  const references = Array.from({ length: count }, (_, i) => `<r${i}@example.org>`).join('\r\n ');
  const to = Array.from({ length: count }, (_, i) => `u${i}@example.org`).join(',\r\n ');
  return mail(id, [`References: ${references}`, `Cc: ${to}`], 'Corpo.');
}

/** A plain-text mail of `count` lines `password: …`, each a different secret (redaction's worst case). */
export function manySecretsMail(id: string, count: number): Buffer {
  const lines = Array.from({ length: count }, (_, i) => `password: segreto${i}x`);
  return mail(id, ['Content-Type: text/plain; charset=utf-8'], lines.join('\r\n'));
}

/**
 * Every hostile shape once, at the sizes the tests use (about 0.5–2 MB each). Larger mails cost
 * the embedded store ~35 ms per MB written on the main thread (docs/hostile-mail.md): the bench
 * measures those.
 */
export function hostileMails(): Array<{ name: string; raw: Buffer }> {
  return [
    { name: 'nested-div-0.5MB', raw: nestedHtmlMail('nested-05', 0.5 * MB) },
    { name: 'nested-div-1MB', raw: nestedHtmlMail('nested-1', 1 * MB) },
    { name: 'nested-div-2MB', raw: nestedHtmlMail('nested-2', 2 * MB) },
    { name: 'tag-soup-1MB', raw: tagSoupMail('soup-1', 1 * MB) },
    { name: '50k-headers', raw: manyHeadersMail('headers-50k', 50_000) },
    { name: 'long-line-1MB', raw: longLineMail('long-line', 1 * MB) },
    { name: '3000-parts', raw: manyPartsMail('parts-3000', 3000) },
    { name: 'multipart-300-deep', raw: deepMultipartMail('deep-300', 300) },
    { name: 'base64-2MB', raw: bigBase64Mail('b64-2', 2 * MB) },
    { name: '20k-references-and-cc', raw: hugeAddressListsMail('lists-20k', 20_000) },
  ];
}
