import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustomer } from '../../../src/core/customers.js';
import { searchCustomers } from '../../../src/db/sql/search-customers.js';
import { centsToInput, inputToCents } from '../../../src/web/staff/admin-texts.js';
import { startTestApp, type TestApp } from '../../helpers/test-app.js';

describe('amounts typed by staff (euro → integer cents)', () => {
  it('reads the Italian and the English way, refuses what is not an amount', () => {
    expect(inputToCents('30')).toBe(3000);
    expect(inputToCents('30,5')).toBe(3050);
    expect(inputToCents('30.50')).toBe(3050);
    expect(inputToCents('€ 1234,56')).toBe(123456);
    expect(inputToCents('0')).toBe(0);
    for (const bad of ['', '-1', '30,555', '1.234,56', 'abc', '1e3'])
      expect(inputToCents(bad), bad).toBeUndefined();
    expect(centsToInput(3050, 'it')).toBe('30,50');
    expect(centsToInput(3050, 'en')).toBe('30.50');
  });
});

describe('customer search (staff customers page)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ workers: false });
    for (const [name, address, status] of [
      ['Rossi Mario', 'mario@rossi.example', 'active'],
      ['Verdi 100% Srl', 'info@verdi.example', 'pending'],
      ['Bianchi_Anna', 'anna@bianchi.example', 'active'],
    ] as const) {
      await createCustomer(app.core, { name, status, identities: [{ kind: 'email', address }] }, 'test');
    }
  });
  afterAll(async () => {
    await app.close();
  });

  const names = async (query: string, status?: 'active' | 'pending') =>
    (await searchCustomers(app.database.db, { query, status, limit: 50, offset: 0 })).rows.map((r) => r.name);

  it('finds by part of the name or of an email address, case-insensitive, and by status', async () => {
    expect(await names('ROSSI')).toEqual(['Rossi Mario']);
    expect(await names('verdi.example')).toEqual(['Verdi 100% Srl']);
    expect(await names('', 'active')).toEqual(['Bianchi_Anna', 'Rossi Mario']);
    expect(await names('i', 'pending')).toEqual(['Verdi 100% Srl']);
    const page = await searchCustomers(app.database.db, { limit: 1, offset: 1 });
    expect(page.total).toBe(3);
    expect(page.rows.map((r) => r.emails)).toEqual([['mario@rossi.example']]);
  });

  it('takes % and _ literally', async () => {
    expect(await names('100%')).toEqual(['Verdi 100% Srl']);
    expect(await names('%')).toEqual(['Verdi 100% Srl']);
    expect(await names('_')).toEqual(['Bianchi_Anna']);
  });
});
