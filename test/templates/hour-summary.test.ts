import { describe, expect, it } from 'vitest';
import { defaultTerms, priceCustomer } from '../../src/core/billing/pricing.js';
import { hourSummary } from '../../src/templates/hour-summary.js';

const entries = [
  {
    id: '1',
    startedAt: new Date('2026-03-02T09:00:00Z'),
    localDate: '2026-03-02',
    kind: 'remote' as const,
    minutes: 50,
    billable: true,
    outOfHoursMinutes: 0,
  },
  {
    id: '2',
    startedAt: new Date('2026-03-03T09:00:00Z'),
    localDate: '2026-03-03',
    kind: 'on_site' as const,
    minutes: 20,
    billable: true,
    outOfHoursMinutes: 0,
  },
  {
    id: '3',
    startedAt: new Date('2026-03-03T10:00:00Z'),
    localDate: '2026-03-03',
    kind: 'phone' as const,
    minutes: 5,
    billable: false,
    outOfHoursMinutes: 0,
  },
];
const terms = {
  ...defaultTerms(4000),
  rounding: { mode: 'block' as const, minutes: 15, scope: 'ticket' as const },
};
const { bills, prepaidLeft } = priceCustomer([{ ticketId: 't', entries }], terms, 22, [
  { id: 'p', minutes: 120, validFrom: '2026-01-01', validUntil: '2026-12-31' },
]);
const data = {
  ticketNumber: 1042,
  subject: 'Rete lenta',
  bill: bills.get('t')!,
  hasPrepaid: true,
  prepaidLeftMinutes: prepaidLeft.get('p')!,
  pendingCount: 1,
  final: true,
};

describe('the hour summary a customer reads', () => {
  it('in Italian: each entry with raw and billed time, prepaid used and left, rate, net, VAT, total', () => {
    const { text, subject } = hourSummary(data, 'it');
    expect(subject).toBe('Re: [#1042] Rete lenta');
    expect(text).toContain('Riepilogo ore del ticket n. 1042: "Rete lenta"');
    expect(text).toContain('- 02/03/2026, da remoto: 50 min (fatturato 1 h)');
    expect(text).toContain('- 03/03/2026, presso la sede: 20 min (fatturato 15 min)');
    expect(text).toContain('- 03/03/2026, telefono: 5 min (non addebitato)');
    expect(text).toContain('Tempo totale: 1 h 15 min\nOre prepagate');
    expect(text).toContain('Ore prepagate usate: 1 h 15 min, residue: 45 min');
    expect(text).toContain("Tariffa: € 40,00 l'ora + IVA, su 0 min");
    expect(text).toContain('Imponibile: € 0,00\nIVA 22%: € 0,00\nTotale: € 0,00');
    expect(text).toContain('1 registrazione/i in attesa di conferma');
  });

  it('in English for an English-speaking customer', () => {
    const { text } = hourSummary({ ...data, hasPrepaid: false, pendingCount: 0, final: false }, 'en');
    expect(text).toContain('Interim hour summary of ticket #1042: "Rete lenta"');
    expect(text).toContain('- 2 Mar 2026, remote: 50 min (billed 1 h)');
    expect(text).toContain('Rate: €40.00 per hour + VAT');
    expect(text).not.toContain('Prepaid');
  });
});
