import { describe, expect, it } from 'vitest';
import { extractNewText } from '../../../src/channels/email/quote-stripping.js';

/** Joins lines with `\n`, the way a text part reads after parsing. */
function mail(...lines: string[]): string {
  return lines.join('\n');
}

describe('extractNewText: attribution lines in many languages', () => {
  const quoted = ['', '> Buongiorno, quando possiamo passare?', '> Assistenza'];

  it.each([
    ['Gmail, English', ['On Mon, Apr 2, 2012 at 6:26 PM, Assistenza <assistenza@negozio.it> wrote:']],
    [
      'Gmail, English, split over two lines',
      ['On Mon, Apr 2, 2012 at 6:26 PM, Assistenza Negozio <', 'assistenza@negozio.it> wrote:'],
    ],
    ['Apple Mail, English', ['On Apr 3, 2012, at 4:19 PM, Assistenza wrote:']],
    [
      'Gmail, Italian',
      ['Il giorno lun 2 apr 2012 alle ore 18:26 Assistenza <assistenza@negozio.it> ha scritto:'],
    ],
    [
      'Gmail, Italian, split over two lines',
      ['Il giorno lun 2 apr 2012 alle ore 18:26 Assistenza Negozio <', 'assistenza@negozio.it> ha scritto:'],
    ],
    [
      'Apple Mail, Italian',
      ['Il giorno 2 apr 2012, alle ore 16:19, Assistenza <assistenza@negozio.it> ha scritto:'],
    ],
    ['Outlook mobile, Italian short form', ['Il 02/04/2012 16:19, Assistenza ha scritto:']],
    ['Thunderbird, Italian', ['Il 02/04/12 18:26, Assistenza ha scritto:']],
    ['German', ['Am 02.04.2012 um 18:26 schrieb Assistenz <assistenza@negozio.it>:']],
    ['German, Gmail', ['Am Mo., 2. Apr. 2012 um 18:26 Uhr schrieb Assistenza <assistenza@negozio.it>:']],
    ['French', ['Le lun. 2 avr. 2012 à 18:26, Assistenza <assistenza@negozio.it> a écrit :']],
    ['Spanish', ['El lun, 2 abr 2012 a las 18:26, Assistenza (<assistenza@negozio.it>) escribió:']],
    ['Portuguese', ['Em seg., 2 de abr. de 2012 às 18:26, Assistenza <assistenza@negozio.it> escreveu:']],
    ['a name and a verb only', ['Assistenza Negozio ha scritto:']],
    [
      'an unknown language, recognised by date, address and colon',
      ['2012年4月2日(月) 18:26 Assistenza <assistenza@negozio.it>:'],
    ],
  ])('%s', (_label, attribution) => {
    expect(extractNewText(mail('Domani alle 10 va bene.', '', ...attribution, ...quoted))).toBe(
      'Domani alle 10 va bene.',
    );
  });
});

describe('extractNewText: Outlook and webmail header blocks', () => {
  it('English Outlook From/Sent/To/Subject without > quoting', () => {
    const text = mail(
      'Ok, grazie.',
      '',
      'From: Assistenza <assistenza@negozio.it>',
      'Sent: Monday, April 2, 2012 5:49 PM',
      'To: Mario Rossi',
      'Subject: RE: [#1042] Stampante',
      '',
      'Buongiorno, possiamo collegarci?',
    );
    expect(extractNewText(text)).toBe('Ok, grazie.');
  });

  it('Italian Outlook Da/Inviato/A/Oggetto', () => {
    const text = mail(
      'Sì, va bene.',
      '',
      'Da: Assistenza <assistenza@negozio.it>',
      'Inviato: lunedì 2 aprile 2012 17:49',
      'A: Mario Rossi <mario@example.it>',
      'Oggetto: [#1042] Stampante',
      '',
      'Possiamo collegarci da remoto?',
    );
    expect(extractNewText(text)).toBe('Sì, va bene.');
  });

  it('Outlook.com underscore line followed by Da:', () => {
    const text = mail(
      'Confermo la data.',
      '',
      '________________________________',
      'Da: Assistenza <assistenza@negozio.it>',
      'Inviato: lunedì 2 aprile 2012 17:49',
      'A: Mario Rossi',
      'Oggetto: [#1042] Appuntamento',
      '',
      'Le proponiamo martedì alle 15.',
    );
    expect(extractNewText(text)).toBe('Confermo la data.');
  });

  it('Gmail-bold headers from an HTML conversion (*From:*)', () => {
    const text = mail(
      'Ecco i dati.',
      '',
      '*From:* Assistenza <a@negozio.it>',
      '*Sent:* Monday',
      '*To:* Mario',
      '*Subject:* Re: VPN',
      '',
      'Ci mandi i dati?',
    );
    expect(extractNewText(text)).toBe('Ecco i dati.');
  });

  it.each([
    '-----Original Message-----',
    '----- Original Message -----',
    '-------- Original Message --------',
    '-----Messaggio originale-----',
    '----- Messaggio originale -----',
    '-----Ursprüngliche Nachricht-----',
    '---------- Forwarded message ---------',
    '-------- Messaggio inoltrato --------',
    'Begin forwarded message:',
    'Inizio messaggio inoltrato:',
  ])('cuts at "%s"', (separator) => {
    const text = mail(
      'Vedi sotto, grazie.',
      '',
      separator,
      'From: Assistenza <a@negozio.it>',
      'Subject: Test',
      '',
      'Testo originale',
    );
    expect(extractNewText(text)).toBe('Vedi sotto, grazie.');
  });

  it('Yahoo: attribution followed by an unquoted copy cuts everything below', () => {
    const text = mail(
      'Perfetto.',
      '',
      'On Monday, April 2, 2012 5:44 PM, Assistenza <assistenza@negozio.it> wrote:',
      '',
      'Buongiorno, il tecnico passerà domani.',
    );
    expect(extractNewText(text)).toBe('Perfetto.');
  });
});

describe('extractNewText: quotes and posting styles', () => {
  it('keeps a message without any quote whole', () => {
    const text = mail(
      'Buongiorno,',
      '',
      'il PC dell’ufficio non si accende più da ieri.',
      'Potete passare?',
      '',
      'Mario',
    );
    expect(extractNewText(text)).toBe(text);
  });

  it('top-posting with nested quotes', () => {
    const text = mail(
      'Sì, confermo il backup.',
      '',
      'On Tue, Apr 3, 2012 at 9:00 AM, Assistenza <a@negozio.it> wrote:',
      '> Ha fatto il backup?',
      '>',
      '> On Mon, Apr 2, 2012 at 6:00 PM, Mario <mario@example.it> wrote:',
      '>> Il PC non parte.',
      '>>> ancora più vecchio',
    );
    expect(extractNewText(text)).toBe('Sì, confermo il backup.');
  });

  it('bottom-posting keeps the text after the quote (Thunderbird)', () => {
    const text = mail(
      'On 04/02/2012 06:26 PM, Assistenza wrote:',
      '> Quale orario preferisce?',
      'Domani alle 10, grazie.',
    );
    expect(extractNewText(text)).toBe('Domani alle 10, grazie.');
  });

  it('inline answers keep every answer, in order', () => {
    const text = mail(
      'Il 02/04/2012 16:19, Assistenza ha scritto:',
      '> Il PC è acceso?',
      'Sì.',
      '> È collegato a internet?',
      '',
      'Sì, via Wi-Fi.',
    );
    expect(extractNewText(text)).toBe('Sì.\n\nSì, via Wi-Fi.');
  });

  it('quotes without an attribution line are removed too', () => {
    expect(extractNewText(mail('> domanda vecchia', '> altra riga', '', 'Risposta nuova'))).toBe(
      'Risposta nuova',
    );
  });

  it('returns the trimmed original when everything is quoted', () => {
    const text = mail('', 'On Mon, Apr 2, 2012 at 6:26 PM, A <a@negozio.it> wrote:', '> solo citazione', '');
    expect(extractNewText(text)).toBe(text.trim());
  });

  it('returns the trimmed original when everything is a signature', () => {
    expect(extractNewText('\nInviato da iPhone\n')).toBe('Inviato da iPhone');
  });

  it('returns an empty string for an empty text', () => {
    expect(extractNewText('')).toBe('');
    expect(extractNewText(' \n \n')).toBe('');
  });

  it('handles CRLF line ends', () => {
    const text = 'Va bene.\r\n\r\nOn Mon, Apr 2, 2012 at 6:26 PM, A <a@negozio.it> wrote:\r\n> Domanda\r\n';
    expect(extractNewText(text)).toBe('Va bene.');
  });

  it('keeps emoji and HTML-special characters verbatim', () => {
    const text = mail('Grazie 🙏😀 — 5 < 6 & "ok" <b>non</b> è HTML', 'A&amp;B resta così.');
    expect(extractNewText(`${text}\n\nOn Mon, Apr 2, 2012 at 6:26 PM, A <a@negozio.it> wrote:\n> x`)).toBe(
      text,
    );
  });

  it('does not swallow the sentence above an attribution, even with a time in it', () => {
    const text = mail(
      'Ho 2 PC, passate alle 14:30',
      'On Mon, Apr 2, 2012 at 6:26 PM, A <a@negozio.it> wrote:',
      '> Quando?',
    );
    expect(extractNewText(text)).toBe('Ho 2 PC, passate alle 14:30');
  });

  it('does not cut prose that mentions someone "ha scritto:" without a date', () => {
    const text = mail('Il tecnico ha scritto:', 'riavviare il router', 'ma non funziona ancora.');
    expect(extractNewText(text)).toBe(text);
  });

  it('does not take opening hours for an Italian header block', () => {
    const text = mail('Sono disponibile:', 'Da: 9:00', 'A: 12:00', 'Grazie');
    expect(extractNewText(text)).toBe(text);
  });
});

describe('extractNewText: signatures', () => {
  it.each([
    ['-- ', ['-- ', 'Mario Rossi', 'Tel. 333 1234567']],
    ['-- without the trailing space', ['--', 'Mario Rossi']],
    ['Sent from my iPhone', ['Sent from my iPhone']],
    ['Sent from my Android phone', ['Sent from my Samsung Galaxy smartphone.']],
    ['Inviato da iPhone', ['Inviato da iPhone']],
    ['Inviato dal mio …', ['Inviato dal mio smartphone Huawei']],
    ['Inviato da Posta per Windows', ['Inviato da Posta per Windows']],
    ['Get Outlook for …', ['Get Outlook for Android']],
    ['Scarica Outlook per …', ['Scarica Outlook per iOS']],
    ['Sent from Mail for Windows', ['Sent from Mail for Windows 10']],
    ['Sent from Yahoo Mail', ['Sent from Yahoo Mail on Android']],
    ['German phone', ['Von meinem iPhone gesendet']],
    ['French phone', ['Envoyé de mon iPhone']],
  ])('%s', (_label, signature) => {
    expect(extractNewText(mail('La stampante ora funziona.', '', ...signature))).toBe(
      'La stampante ora funziona.',
    );
  });

  it('a signature above the quote goes, the answer below the quote stays', () => {
    const text = mail(
      'Prima risposta',
      '-- ',
      'Mario',
      '',
      'On Mon, Apr 2, 2012 at 6:26 PM, A <a@negozio.it> wrote:',
      '> domanda',
      '',
      'Seconda risposta',
      '',
      'Inviato da iPhone',
    );
    expect(extractNewText(text)).toBe('Prima risposta\n\nSeconda risposta');
  });

  it('a signature and a quote together: only the answer is left', () => {
    const text = mail(
      'Sì, procedete pure.',
      '',
      'Inviato dal mio iPhone',
      '',
      'Il giorno 2 apr 2012, alle ore 16:19, Assistenza <a@negozio.it> ha scritto:',
      '',
      '> Possiamo collegarci ora? Ha fatto il backup?',
    );
    expect(extractNewText(text)).toBe('Sì, procedete pure.');
  });
});

describe('extractNewText: header blocks in other orders and rules (issue 18)', () => {
  it.each([
    [
      'Subject first',
      'Subject: Re: stampante\nTo: Anna <anna@cliente.example>\nFrom: Assistenza <assistenza@negozio.example>\nDate: 30 Nov 2026',
    ],
    [
      'Oggetto first',
      'Oggetto: R: stampante\nA: Anna <anna@cliente.example>\nDa: Assistenza <assistenza@negozio.example>\nData: 30/11/2026 09:12',
    ],
    [
      'To first',
      'To: Anna <anna@cliente.example>\nFrom: Assistenza <assistenza@negozio.example>\nSent: Monday, 30 November 2026 09:12\nSubject: stampante',
    ],
    [
      'A first',
      'A: Anna <anna@cliente.example>\nDa: Assistenza <assistenza@negozio.example>\nInviato: lunedì 30 novembre 2026 09:12\nOggetto: stampante',
    ],
  ])('cuts a block that starts with %s', (_, block) => {
    const text = `Grazie, ora funziona.\n\n${block}\n\nProvi a riavviare la stampante.`;
    expect(extractNewText(text)).toBe('Grazie, ora funziona.');
  });

  it('cuts at a dash rule (an <hr>) above a header block, and keeps no rule', () => {
    const text = `Grazie, ora funziona.\n\n${'-'.repeat(40)}\n\nDa: Assistenza <assistenza@negozio.example>\nInviato: lunedì 30 novembre 2026 09:12\nOggetto: stampante\n\nvecchio`;
    expect(extractNewText(text)).toBe('Grazie, ora funziona.');
  });

  it('drops a rule inside the customer’s own words but keeps the words', () => {
    const text = `Prima parte.\n${'—'.repeat(30)}\nSeconda parte.`;
    expect(extractNewText(text)).toBe('Prima parte.\nSeconda parte.');
  });

  it('does not cut a customer’s own lines that look like fields but have no From/Da', () => {
    const text = 'Orari del negozio:\nA: lunedì\nData: da concordare\nOggetto: riparazione PC';
    expect(extractNewText(text)).toBe(text);
  });

  it('does not cut prose with one field-like line and a From line', () => {
    const text = 'Oggetto: il PC di Mario\nDa: ieri non parte più.\nCosa posso fare?';
    expect(extractNewText(text)).toBe(text);
  });
});
