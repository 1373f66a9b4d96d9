import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailCustomer, ingestMail, SmtpOnlyEmail } from '../channels/slack/slack-kit.js';
import { type SmtpCapture, startSmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
let smtp: SmtpCapture;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  app = await startTestApp({ adapters: () => [new SmtpOnlyEmail(smtp)] });
});
afterAll(async () => {
  await app.close();
  await smtp.stop();
});

describe('monthly statement by email', () => {
  it('sends each customer their month with the CSV attached, once', async () => {
    const { address, customer } = await emailCustomer(app, { name: 'Marini' });
    const outcome = await ingestMail(app, { from: address, subject: 'Server', text: 'Il server è lento' });
    if (outcome.status !== 'new_ticket') throw new Error(outcome.status);
    await app.api(`/tickets/${outcome.ticketNumber}/time`, {
      body: { technician: 'Luca', minutes: '1:30', startedAt: '2026-04-14T08:00:00Z', kind: 'on_site' },
    });
    await app.settle();
    smtp.clear();

    const first = await app.api('/reports/hours/statements', { body: { month: '2026-04', author: 'Luca' } });
    expect(first.status).toBe(200);
    const { statements } = (await first.json()) as {
      statements: Array<{ customerId: string; status: string }>;
    };
    expect(statements).toEqual([
      expect.objectContaining({ customerId: customer.id.toString(), status: 'queued' }),
    ]);
    const [mail] = await smtp.waitForMessages(1);
    expect(mail!.envelope.to).toEqual([address]);
    expect(mail!.parsed.subject).toBe('Riepilogo ore di assistenza 2026-04');
    expect(mail!.parsed.text).toContain('Imponibile: € 45,00\nIVA 22%: € 9,90\nTotale: € 54,90');
    const csv = mail!.parsed.attachments.find((a) => a.filename === 'ore-2026-04.csv')!;
    expect([...csv.content.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows: string[][] = parse(csv.content.toString('utf8'), { bom: true, delimiter: ';' });
    expect(rows[1]!.slice(0, 4)).toEqual(['Marini', String(outcome.ticketNumber), 'Server', '90']);
    expect(rows.at(-1)!.slice(9, 12)).toEqual(['45,00', '9,90', '54,90']);

    const again = await app.api('/reports/hours/statements', { body: { month: '2026-04', author: 'Luca' } });
    expect(((await again.json()) as { statements: Array<{ status: string }> }).statements[0]!.status).toBe(
      'already_sent',
    );
    await app.settle();
    expect(smtp.messages).toHaveLength(1);
  });

  it('two requests at the same time queue one statement', async () => {
    const { address } = await emailCustomer(app, { name: 'Rossi' });
    const outcome = await ingestMail(app, { from: address, subject: 'Rete', text: 'La rete cade' });
    if (outcome.status !== 'new_ticket') throw new Error(outcome.status);
    await app.api(`/tickets/${outcome.ticketNumber}/time`, {
      body: { technician: 'Luca', minutes: 60, startedAt: '2026-05-14T08:00:00Z' },
    });
    await app.settle();
    smtp.clear();
    const send = async () =>
      (
        (await (
          await app.api('/reports/hours/statements', { body: { month: '2026-05', author: 'Luca' } })
        ).json()) as {
          statements: Array<{ status: string }>;
        }
      ).statements[0]!.status;
    const statuses = await Promise.all([send(), send()]);
    expect(statuses.sort()).toEqual(['already_sent', 'queued']);
    await app.settle();
    expect(smtp.messages.filter((m) => m.envelope.to.includes(address))).toHaveLength(1);
  });

  it('shows the part already invoiced apart from the part still to invoice', async () => {
    const { address, customer } = await emailCustomer(app, { name: 'Neri' });
    const outcome = await ingestMail(app, { from: address, subject: 'Backup', text: 'Il backup fallisce' });
    if (outcome.status !== 'new_ticket') throw new Error(outcome.status);
    await app.api(`/tickets/${outcome.ticketNumber}/time`, {
      body: { technician: 'Luca', minutes: 60, startedAt: '2026-06-10T08:00:00Z' },
    });
    const exported = await app.api('/reports/hours/export', {
      body: { month: '2026-06', customerId: Number(customer.id), author: 'Titolare' },
    });
    expect(exported.status).toBe(200);
    // A late entry in the exported month: not invoiced yet.
    await app.api(`/tickets/${outcome.ticketNumber}/time`, {
      body: { technician: 'Luca', minutes: 30, startedAt: '2026-06-20T08:00:00Z' },
    });
    await app.settle();
    smtp.clear();
    await app.api('/reports/hours/statements', {
      body: { month: '2026-06', customerId: Number(customer.id), author: 'Luca' },
    });
    const [mail] = await smtp.waitForMessages(1);
    const text = mail!.parsed.text!;
    expect(text).toContain('Imponibile: € 45,00\nIVA 22%: € 9,90\nTotale: € 54,90');
    expect(text).toContain('Già fatturato: imponibile € 30,00, IVA € 6,60, totale € 36,60');
    expect(text).toContain('Da fatturare: imponibile € 15,00, IVA € 3,30, totale € 18,30');
    expect(text).toContain(`- #${outcome.ticketNumber} Backup: 1 h, € 30,00 (già fatturato)`);
    expect(text).toContain(`- #${outcome.ticketNumber} Backup: 30 min, € 15,00 (da fatturare)`);
  });
});
