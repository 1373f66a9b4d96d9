import { describe, expect, it } from 'vitest';
import {
  interpretConsentAnswer,
  parseConsentButton,
  withoutNameSignOff,
} from '../../../src/core/consent/answer-rule.js';
import { isLonePassword } from '../../../src/core/consent/credential-handover.js';

/** Real phrasings, Italian and English. A yes must be plain; anything else is never consent. */
const YES = [
  'yes please go ahead',
  'Go ahead',
  'Ok, procedi pure',
  'sì, procedi',
  'sì',
  'Sì',
  'SI',
  'si',
  'Sí',
  'sì!',
  'Sì.',
  'si grazie',
  'Sì, grazie mille',
  'sì sì',
  'yes',
  'Yes.',
  'YES!!!',
  'yes please',
  'ok',
  'OK',
  'Ok!',
  'okay',
  'va bene',
  'Va bene.',
  'ok va bene',
  'certo',
  'Certo!',
  'sì certo',
  'autorizzo',
  'Sì, autorizzo',
  'confermo',
  "d'accordo",
  'sure',
  'I agree',
  '👍',
  '👍🏻',
  '👍🏼',
  '👍🏽',
  '👍🏾',
  '👍🏿',
  '👍 grazie',
  '  sì  ',
  'sì\n',
];

const NO = [
  'no',
  'No.',
  'NO!',
  'no grazie',
  'No, grazie',
  'no thanks',
  'stop',
  'STOP',
  'Stop!',
  'basta',
  'Basta!',
  'annulla',
  'interrompi',
  'Interrompi!',
  'rifiuto',
  'non autorizzo',
  'cancel',
  'Cancel.',
  'nope',
  'no no',
  '👎',
];

const UNCLEAR = [
  'procedi domani',
  'go ahead tomorrow',
  'no, go ahead',
  '',
  '   ',
  'sì ma dopo le 15',
  'si ma solo dopo pranzo',
  'yes but call me first',
  'yes, if you call me first',
  'ok dopo',
  'domani',
  'tra mezz ora',
  'later',
  'maybe',
  'forse',
  'sì no',
  'ok stop',
  'yes no',
  'non so',
  'sì?',
  'che cosa devo fare?',
  'si, prima però chiamami',
  'sì, ho fatto il backup ma il pc è spento',
  'grazie',
  'thanks',
  'yes when I am back',
  'va bene ma non adesso',
  'ok tra 10 minuti',
  'Sì\n\nMario Rossi',
  'si può fare domani?',
  'non ancora',
  'not now',
  'no problem',
  'no problema, procedete',
  'autorizzo solo per la stampante',
  'siii',
  's',
  'y',
  'sì sì sì sì sì sì sì sì sì sì sì sì sì',
];

describe('consent answer rule', () => {
  it.each(YES)('%j grants', (text) => {
    expect(interpretConsentAnswer(text)).toBe('yes');
  });
  it.each(NO)('%j refuses', (text) => {
    expect(interpretConsentAnswer(text)).toBe('no');
  });
  it.each(UNCLEAR)('%j is not consent', (text) => {
    expect(interpretConsentAnswer(text)).toBe('unclear');
  });

  it("drops a last line that is only the sender's name", () => {
    expect(interpretConsentAnswer(withoutNameSignOff('Sì\n\nMario', 'Mario Rossi'))).toBe('yes');
    expect(interpretConsentAnswer(withoutNameSignOff('No\nMario Rossi', 'Mario Rossi'))).toBe('no');
    expect(interpretConsentAnswer(withoutNameSignOff('Sì\n\nMario', undefined))).toBe('unclear');
    expect(interpretConsentAnswer(withoutNameSignOff('Sì\ndopo le 15', 'Mario Rossi'))).toBe('unclear');
  });

  it('reads only consent buttons', () => {
    expect(parseConsentButton('consent:42:yes')).toEqual({ requestId: '42', answer: 'yes' });
    expect(parseConsentButton('consent:42:stop')).toEqual({ requestId: '42', answer: 'stop' });
    expect(parseConsentButton('ticket:42')).toBeUndefined();
    expect(parseConsentButton('consent:42:maybe')).toBeUndefined();
  });
});

describe('a lone word after an ID-only hand-over', () => {
  it('politeness, yes-words and acknowledgements are never the password', () => {
    for (const word of [
      'grazie',
      'Grazie!',
      'thanks',
      'please',
      'prego',
      'ok',
      'Perfetto',
      'Ottimo!',
      'done',
    ]) {
      expect(isLonePassword(word), word).toBe(false);
    }
    expect(isLonePassword('Quercia#7')).toBe(true);
  });
});
