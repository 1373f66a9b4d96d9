import { eq } from 'drizzle-orm';
import ICAL, { type VEvent } from 'node-ical';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpSender } from '../../src/channels/email/smtp-sender.js';
import type { ChannelAdapter, ChannelContext, OutboundMessage } from '../../src/core/channel.js';
import { createCustomer } from '../../src/core/customers.js';
import { getTicketByNumber } from '../../src/core/tickets.js';
import { staffAlerts } from '../../src/db/schema.js';
import { type CapturedMessage, type SmtpCapture, startSmtpCapture } from '../helpers/smtp-capture.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

const cet = (date: string, time: string) => new Date(`${date}T${time}:00+01:00`);

/** The email channel's SMTP half, against the capture server. */
class SmtpEmail implements ChannelAdapter {
  readonly name = 'email' as const;
  private readonly sender: SmtpSender;
  constructor(smtp: SmtpCapture) {
    this.sender = new SmtpSender({
      host: smtp.host,
      port: smtp.port,
      secure: false,
      from: 'assistenza@example.test',
      fromName: 'Assistenza',
    });
  }
  async start(_context: ChannelContext): Promise<void> {}
  async stop(): Promise<void> {
    this.sender.close();
  }
  send(message: OutboundMessage) {
    return this.sender.send(message);
  }
}

let smtp: SmtpCapture;
let app: TestApp;
let clock = cet('2026-12-01', '10:00');

beforeAll(async () => {
  smtp = await startSmtpCapture();
  app = await startTestApp({ adapters: () => [new SmtpEmail(smtp)], now: () => clock });
  // What app.ts takes from MAIL_FROM (the test app runs without an IMAP/SMTP configuration).
  app.core.settings.organizerEmail = 'assistenza@example.test';
});
afterAll(async () => {
  await app.close();
  await smtp.stop();
});

/** The text/calendar part of a captured mail (decoded), its METHOD parameter and its one event. */
function calendarPart(mail: CapturedMessage): { method: string; event: VEvent; text: string } {
  const raw = mail.raw.toString('utf8');
  const method = /Content-Type: text\/calendar;[^\r\n]*method=("?)(\w+)\1/i.exec(raw)?.[2] ?? '';
  const part = mail.parsed.attachments.find((a) => a.contentType === 'text/calendar');
  const text = part?.content.toString('utf8') ?? '';
  const events = Object.values(ICAL.sync.parseICS(text)).filter((c) => c?.type === 'VEVENT') as VEvent[];
  expect(events).toHaveLength(1);
  return { method, event: events[0]!, text };
}

describe('appointment invitation by email', () => {
  it('the confirmation mail carries a text/calendar; method=REQUEST part for the booked slot', async () => {
    clock = cet('2026-12-01', '10:00');
    const address = `ical-${Date.now()}@example.test`;
    await createCustomer(
      app.core,
      { name: 'Mario Rossi', locale: 'it', status: 'active', identities: [{ kind: 'email', address }] },
      'test',
    );
    const opened = await app.channelContext.ingest({
      channel: 'email',
      externalId: `<open-${Date.now()}@example.test>`,
      sender: { kind: 'email', address },
      subject: 'PC lento',
      newText: 'Il PC è lento',
      fullText: 'Il PC è lento',
      attachments: [],
      thread: {},
      receivedAt: clock,
      raw: { contentType: 'message/rfc822', data: 'Subject: PC lento\r\n\r\nIl PC è lento' },
    });
    if (opened.status !== 'new_ticket') throw new Error(opened.status);
    expect(
      (await app.api(`/tickets/${opened.ticketNumber}/proposals`, { body: { technician: 'marco' } })).status,
    ).toBe(201);
    const booked = await app.api(`/tickets/${opened.ticketNumber}/bookings`, { body: { number: 2 } });
    expect(((await booked.json()) as { status: string }).status).toBe('booked');
    await app.settle();
    const mail = await smtp.waitFor((m) => (m.parsed.text ?? '').includes('Appuntamento confermato'));
    const { method, event, text } = calendarPart(mail);
    expect(method).toBe('REQUEST');
    expect(text).toMatch(/^METHOD:REQUEST\r?$/m);
    expect(text).toContain('BEGIN:VTIMEZONE');
    expect(event.start.toISOString()).toBe(cet('2026-12-02', '09:00').toISOString());
    expect(event.end?.toISOString()).toBe(cet('2026-12-02', '10:00').toISOString());
    expect(String(event.uid)).toMatch(/^appointment-.+@helpdesk$/);
    expect(JSON.stringify(event.organizer)).toContain('assistenza@example.test');
    expect(JSON.stringify(event.attendee)).toContain(address);
    // The invitation is kept with the delivery, so a retry sends the same part.
    const { rows } = await app.database.sql.query<{ payload: { calendar?: { method: string } } }>(
      "select payload from deliveries where payload->>'text' like 'Appuntamento confermato%' order by id desc limit 1",
    );
    expect(rows[0]?.payload.calendar?.method).toBe('REQUEST');
  });

  it('a cancellation from the technician (DELETE /appointments/:id) sends METHOD:CANCEL, same UID, higher SEQUENCE', async () => {
    clock = cet('2026-12-07', '10:00');
    const address = `ical-cancel-${Date.now()}@example.test`;
    await createCustomer(
      app.core,
      { name: 'Anna Neri', locale: 'it', status: 'active', identities: [{ kind: 'email', address }] },
      'test',
    );
    const opened = await app.channelContext.ingest({
      channel: 'email',
      externalId: `<open-c-${Date.now()}@example.test>`,
      sender: { kind: 'email', address },
      subject: 'Rete',
      newText: 'La rete cade',
      fullText: 'La rete cade',
      attachments: [],
      thread: {},
      receivedAt: clock,
      raw: { contentType: 'message/rfc822', data: 'Subject: Rete\r\n\r\nLa rete cade' },
    });
    if (opened.status !== 'new_ticket') throw new Error(opened.status);
    await app.api(`/tickets/${opened.ticketNumber}/proposals`, { body: { technician: 'marco' } });
    const booked = (await (
      await app.api(`/tickets/${opened.ticketNumber}/bookings`, { body: { number: 1 } })
    ).json()) as { appointmentId: string };
    await app.settle();
    const invite = calendarPart(
      await smtp.waitFor(
        (m) =>
          (m.parsed.to as { text: string }).text.includes(address) &&
          (m.parsed.text ?? '').includes('Appuntamento confermato'),
      ),
    );

    const res = await app.api(`/appointments/${booked.appointmentId}`, { method: 'DELETE' });
    expect(((await res.json()) as { status: string }).status).toBe('cancelled');
    await app.settle();
    const mail = await smtp.waitFor(
      (m) =>
        (m.parsed.to as { text: string }).text.includes(address) &&
        (m.parsed.text ?? '').includes('è annullato'),
    );
    const cancel = calendarPart(mail);
    expect(cancel.method).toBe('CANCEL');
    expect(cancel.text).toMatch(/^METHOD:CANCEL\r?$/m);
    expect(String(cancel.event.uid)).toBe(String(invite.event.uid));
    expect(Number(cancel.event.sequence)).toBeGreaterThan(Number(invite.event.sequence ?? 0));
    expect(String(cancel.event.status)).toBe('CANCELLED');
    const ticket = await getTicketByNumber(app.core.database, opened.ticketNumber);
    expect(ticket.status).toBe('open');
    const alerts = await app.core.database.db
      .select()
      .from(staffAlerts)
      .where(eq(staffAlerts.ticketId, ticket.id));
    expect(alerts.map((a) => a.kind)).toContain('appointment_cancelled');
    // Twice: nothing left to cancel.
    const again = await app.api(`/appointments/${booked.appointmentId}`, { method: 'DELETE' });
    expect(((await again.json()) as { status: string }).status).toBe('no_appointment');
  });
});
