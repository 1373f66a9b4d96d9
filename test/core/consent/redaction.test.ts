import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactInbound, redactRawInput } from '../../../src/core/consent/redact-inbound.js';
import { ibanValid, luhnValid, redactSecrets, removeSecrets } from '../../../src/core/consent/redaction.js';
import { findSecrets, SLICE_CHARS } from '../../../src/core/consent/redaction-slices.js';
import { inbound } from '../../helpers/test-channel.js';

/** [text, what must be gone] — Italian and English phrasings seen in support mail and chats. */
const SECRETS: Array<[string, string]> = [
  ['password: Segreta!42', 'Segreta!42'],
  ['Password:Segreta!42', 'Segreta!42'],
  ['la password è gatto99', 'gatto99'],
  ["La password e' gatto99", 'gatto99'],
  ['pwd pippo123', 'pippo123'],
  ['pw=abc123', 'abc123'],
  ['PW: abc123', 'abc123'],
  ['my password is hunter22', 'hunter22'],
  ['the password is: hunter22', 'hunter22'],
  ['il PIN è 12345', '12345'],
  ['passwd = s3cr3t', 's3cr3t'],
  ['La password del wifi è Casa2024!', 'Casa2024!'],
  ['The password for the PC is Zz9!aa', 'Zz9!aa'],
  ['la password di Windows: Gatto!1', 'Gatto!1'],
  ['ID 123 456 789 password Tr0ub4dor', 'Tr0ub4dor'],
  ['rustdesk 123456789 abcd1234', 'abcd1234'],
  ['AnyDesk 123 456 789, pass: xyz987', 'xyz987'],
  ['123 456 789 / qwerty77', 'qwerty77'],
  ['123456789\nqwerty77', 'qwerty77'],
  ['la carta è 4111 1111 1111 1111 grazie', '4111 1111 1111 1111'],
  ['5500-0000-0000-0004', '5500-0000-0000-0004'],
  ['IBAN IT60 X054 2811 1010 0000 0123 456', 'IT60 X054 2811 1010 0000 0123 456'],
  ['IT60X0542811101000000123456', 'IT60X0542811101000000123456'],
  ['GB82 WEST 1234 5698 7654 32', 'GB82 WEST 1234 5698 7654 32'],
  // An HTML table turned into text (Outlook) puts the value on the line under its label.
  ['ID: 123 456 789\nPassword:\nhunter22', 'hunter22'],
  ['Password:\n  Gatto!1', 'Gatto!1'],
  // An HTML-only mail (<p>Password:</p><p>Gatto!2</p>) reads as paragraphs.
  ['ID: 123 456 789\n\nPassword:\n\nGatto!2', 'Gatto!2'],
  // A two-letter password after a named ID: the label is not mistaken for the secret.
  ['anydesk 1234567890 pass: ab', 'ab'],
  // AnyDesk and TeamViewer show ten-digit IDs as `1 234 567 890`.
  ['AnyDesk 1 234 567 890 Qwerty9', 'Qwerty9'],
  // One or two characters after an explicit `password:` are still the password.
  ['AnyDesk 1 234 567 890 / password: x', 'x'],
  ['pwd= k9', 'k9'],
  ['password: x', 'x'],
  // A bare ID and the password on one line (no label): a token with a letter and a digit or symbol.
  ['123456789 hunter22', 'hunter22'],
  ['1 234 567 890 Quercia#', 'Quercia#'],
  // A quoted passphrase goes whole, spaces included.
  ['password = "my secret pass"', 'my secret pass'],
  ["la password è 'due parole'", 'due parole'],
  // Words between the password word and its value are skipped, whatever their number.
  ['La nuova password del suo account è: Xy7#kLm9qq, utente admin', 'Xy7#kLm9qq'],
  ['password temporanea: Tmp#9921', 'Tmp#9921'],
  ['password provvisoria Zz11!!aa', 'Zz11!!aa'],
  ['la sua password è stata reimpostata a Gh55$$kk', 'Gh55$$kk'],
  ["La password dell'utente è Girasole77", 'Girasole77'],
  ['your new password has been set to Tq9-vv2!', 'Tq9-vv2!'],
  ['la password della stampante del primo piano è Hp#2024', 'Hp#2024'],
  ['la password è la seguente: Mare&Sole8', 'Mare&Sole8'],
  // After a separator the clause goes whole: a passphrase of plain words.
  ['Password: correct horse battery staple', 'correct horse battery staple'],
  ['Credenziali: admin / Qwerty!234', 'Qwerty!234'],
  ['credentials: mario.rossi / Bianchi#55', 'Bianchi#55'],
  // A later word shaped like a password is taken too (the first may be a user name).
  ['password admin Passw0rd!2024', 'Passw0rd!2024'],
  ['nota: password admin Passw0rd!2024 per il NAS', 'Passw0rd!2024'],
  ['Password del wifi: Casa2024! grazie', 'Casa2024!'],
  // In a JSON source the value stops at the quote.
  ['{"text":"password: Segreto9","id":4}', 'Segreto9'],
];

/** Ordinary support text that must stay as written. */
const PLAIN = [
  'la password non funziona',
  'la password di Mario non funziona',
  'ho dimenticato la password',
  'reset password please',
  'mi puoi passare a trovare domani?',
  'chiamatemi al 333 123 4567 grazie',
  'il ticket 123456789 è ancora aperto',
  'numero ordine 4111 1111 1111 1112',
  'IT60 X054 2811 1010 0000 0123 457',
  'The printer on floor 2 is offline',
  'la stampante HP 4250 non stampa',
  'il ticket 123456789 chiuso',
  'password non ricevuta',
  'la password è stata cambiata ieri ma non funziona',
  'password dimenticata, mi aiutate?',
  'ho provato la password: non funziona più',
  'La password del PC è scaduta',
  'Ticket aperto per reset password, vedi https://example.com/reset?id=42',
];

describe('redaction of secrets', () => {
  it.each(SECRETS)('%j loses its secret', (text, secret) => {
    const result = redactSecrets(text);
    expect(result.text).not.toContain(secret);
    expect(result.text).toContain('[redacted]');
    // The value removed may be longer (the user name before it, a word after it): never shorter.
    expect(result.secrets.some((removed) => removed.includes(secret))).toBe(true);
  });
  it.each(PLAIN)('%j is left alone', (text) => {
    expect(redactSecrets(text)).toEqual({ text, secrets: [] });
  });

  it('checks card numbers (Luhn) and IBANs (mod 97)', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(ibanValid('IT60 X054 2811 1010 0000 0123 456')).toBe(true);
    expect(ibanValid('IT60 X054 2811 1010 0000 0123 457')).toBe(false);
    // Mod 97 alone passes one random token in 97: the country and its length are checked too.
    expect(ibanValid('ZQ48AAAABBBBCCCCDDDDEEEE1234')).toBe(false);
    expect(ibanValid('IT60 X054 2811 1010 0000 0123 45')).toBe(false);
    const running = redactSecrets('bonifico su IT60X0542811101000000123456 grazie mille');
    expect(running.text).toBe('bonifico su [redacted] grazie mille');
  });

  it('cleans the text, the HTML, the subject and the raw input of a chat message', async () => {
    const text = 'Buongiorno, la password è "Q!w=e\\r" e la carta 4111 1111 1111 1111';
    const message = inbound({
      from: 'a@example.test',
      newText: text,
      fullText: `${text}\n\n> citazione con Q!w=e\\r`,
      html: `<p>${text.replace(/"/g, '&quot;')}</p>`,
      raw: { contentType: 'application/json', data: JSON.stringify({ text }) },
    });
    const { message: clean, count } = await redactInbound(message);
    expect(count).toBe(2);
    for (const field of [clean.newText, clean.fullText, clean.html!, String(clean.raw.data)]) {
      expect(field).not.toContain('Q!w=e');
      expect(field).not.toContain('4111');
      expect(field).toContain('[redacted]');
    }
  });

  it('keeps a mail whose body is encoded with its headers only', async () => {
    const body = Buffer.from('password: Base64Secret1').toString('base64');
    const raw = `From: a@example.test\r\nSubject: pc\r\nContent-Transfer-Encoding: base64\r\n\r\n${body}\r\n`;
    const { message } = await redactInbound(
      inbound({
        from: 'a@example.test',
        newText: 'password: Base64Secret1',
        fullText: 'password: Base64Secret1',
        raw: { contentType: 'message/rfc822', data: Buffer.from(raw) },
      }),
    );
    const kept = Buffer.from(message.raw.data as Uint8Array).toString('latin1');
    expect(kept).toContain('Subject: pc');
    expect(kept).not.toContain(body);
    expect(message.raw.originalSize).toBe(raw.length);
  });

  it('cleans an encoded subject (RFC 2047) in the kept mail headers', async () => {
    const subject = 'Carta 4111 1111 1111 1111 addebitata due volte';
    const encoded = `=?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`;
    const raw = `From: a@example.test\r\nSubject: ${encoded}\r\nContent-Type: text/plain\r\n\r\nciao\r\n`;
    const { message } = await redactInbound(
      inbound({
        from: 'a@example.test',
        subject,
        raw: { contentType: 'message/rfc822', data: Buffer.from(raw) },
      }),
    );
    expect(message.subject).not.toContain('4111');
    const kept = Buffer.from(message.raw.data as Uint8Array).toString('latin1');
    expect(kept).not.toContain(encoded);
    expect(kept).toContain('ciao');
  });

  it('cleans a raw input kept because it failed', async () => {
    const raw = { contentType: 'application/json', data: JSON.stringify({ text: 'pwd: Nascosta99' }) };
    const { raw: kept, count } = await redactRawInput(raw);
    expect(count).toBe(1);
    expect(String(kept.data)).not.toContain('Nascosta99');
    expect((await redactRawInput({ contentType: 'application/json', data: '{"text":"ciao"}' })).count).toBe(
      0,
    );
  });

  it('leaves a message without secrets untouched (the same object)', async () => {
    const message = inbound({ from: 'a@example.test' });
    expect((await redactInbound(message)).message).toBe(message);
  });

  it('keeps binary raw input byte for byte, and replaces only the secret in text raw input', async () => {
    const binary = Buffer.concat([
      Buffer.from([0xff, 0xfe, 0x00]),
      Buffer.from('pw=Segreto9 '),
      Buffer.from([0xc3, 0x28]),
    ]);
    const file = await redactRawInput({ contentType: 'application/octet-stream', data: binary });
    expect(file.count).toBe(0);
    expect(Buffer.from(file.raw.data as Uint8Array).equals(binary)).toBe(true);

    const json = Buffer.from('{"text":"caffè \u00e8 pronto, password: Segreto9","bytes":"', 'utf8');
    const tail = Buffer.from([0xc3, 0x28, 0x22, 0x7d]); // invalid UTF-8, then `"}`
    const { raw, count } = await redactRawInput({
      contentType: 'application/json',
      data: Buffer.concat([json, tail]),
    });
    expect(count).toBe(1);
    const kept = Buffer.from(raw.data as Uint8Array);
    expect(kept.includes('Segreto9')).toBe(false);
    expect(kept.subarray(kept.length - 4).equals(tail)).toBe(true);
    expect(kept.includes(Buffer.from('caffè', 'utf8'))).toBe(true);
  });

  it('finds the same secrets in a long text searched in slices, wherever the cuts fall', async () => {
    // Secrets at every offset around the first cuts (spaces and lines shift them), then filler.
    const filler = 'riga di testo normale senza segreti\n';
    for (const shift of [0, 1, 7, 19, 30]) {
      const lines: string[] = [];
      let length = 0;
      for (let i = 0; length < 3 * SLICE_CHARS; i++) {
        const line =
          i % 40 === 0
            ? `la password è Segreto${i}x\n`
            : i % 53 === 0
              ? `anydesk 123 456 789\npass: Pw${i}!\n`
              : filler;
        lines.push(' '.repeat(shift % (i + 1) === 0 ? shift : 0) + line);
        length += line.length;
      }
      const text = lines.join('');
      const whole = redactSecrets(text).secrets;
      expect(whole.length).toBeGreaterThan(50);
      expect(new Set(await findSecrets(text))).toEqual(new Set(whole));
    }
  });

  it('finds a secret whose phrase and value lie on both sides of a cut', async () => {
    const head = 'x'.repeat(SLICE_CHARS - 10);
    const text = `${head}\nla password è\nSegretissima1\n${'y '.repeat(SLICE_CHARS)}`;
    expect(await findSecrets(text)).toContain('Segretissima1');
    const mail = await redactRawInput({ contentType: 'text/plain', data: text });
    expect(String(mail.raw.data)).not.toContain('Segretissima1');
  });

  it('removes thousands of secrets in one pass, every copy and overlapping copies whole', () => {
    const secrets = Array.from({ length: 4000 }, (_, i) => `segreto${i}x`);
    const text = secrets.map((secret) => `password: ${secret} e di nuovo "${secret}"`).join('\n');
    const out = removeSecrets(text, secrets);
    expect(out).not.toMatch(/segreto\d/);
    expect(out.split('[redacted]')).toHaveLength(8001);
    // Overlapping copies of two secrets leave no character of either.
    expect(removeSecrets('xx abcd yy', ['bcd', 'ab'])).toBe('xx [redacted] yy');
    expect(removeSecrets('a.b*c a.b*c', ['a.b*c'])).toBe('[redacted] [redacted]');
  });
});

/** How technicians and customers announce a password, `{}` where it goes. */
const PHRASINGS = [
  'La nuova password del suo account è: {}, utente admin',
  'password temporanea: {}',
  'password provvisoria {}',
  'la sua password è stata reimpostata a {}',
  'Password del wifi: {} grazie',
  'password admin {}',
  'The password for the PC is {}',
  'your new password has been set to {}',
  'pwd {}',
  'Credenziali: admin / {}',
  'ID 123 456 789\nPassword:\n{}',
  'Ciao Mario,\nla password del NAS è {}\nA presto',
];

describe('a password in any of the usual phrasings', () => {
  it('never survives, whatever its characters (fast-check)', () => {
    const symbol = fc.constantFrom(...'!#$%&*+=?@^_~'.split(''));
    const letter = fc.constantFrom(...'abcdefghijkLMNOPQRSTxyzàè'.split(''));
    const digit = fc.constantFrom(...'0123456789'.split(''));
    const password = fc
      .tuple(
        fc.array(letter, { minLength: 2, maxLength: 8 }),
        fc.array(fc.oneof(letter, digit, symbol), { minLength: 1, maxLength: 6 }),
        digit,
        symbol,
      )
      .map(([head, middle, d, s]) => [...head, ...middle, d, s].join(''));
    fc.assert(
      fc.property(fc.constantFrom(...PHRASINGS), password, (phrasing, secret) => {
        const { text } = redactSecrets(phrasing.replace('{}', secret));
        expect(text).not.toContain(secret);
      }),
      { numRuns: 1000, seed: 20261201 },
    );
  });
});
