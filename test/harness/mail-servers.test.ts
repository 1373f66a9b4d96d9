import { existsSync } from 'node:fs';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_DOVECOT_USER,
  type DovecotServer,
  ensureDovecotInstalled,
  startDovecot,
} from '../helpers/dovecot.js';
import { type SmtpCapture, startSmtpCapture } from '../helpers/smtp-capture.js';

const { user, password } = DEFAULT_DOVECOT_USER;

function rawMail(n: number): string {
  return [
    'From: Customer <customer@example.test>',
    `To: ${user}`,
    `Subject: Test ${n}`,
    `Message-ID: <msg-${n}@example.test>`,
    'Date: Mon, 1 Jan 2024 10:00:00 +0000',
    '',
    `Body ${n}`,
    '',
  ].join('\r\n');
}

function imapClient(server: DovecotServer): ImapFlow {
  return new ImapFlow({
    host: server.host,
    port: server.port,
    secure: false,
    auth: { user, pass: password },
    logger: false,
    autoIdleDelay: 100,
  });
}

describe('Dovecot harness', () => {
  let server: DovecotServer;

  beforeAll(async () => {
    const t0 = Date.now();
    server = await startDovecot();
    console.info(`Dovecot started in ${Date.now() - t0} ms on port ${server.port}`);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('appends and lists messages', async () => {
    await server.appendMessage(user, password, rawMail(1), 'INBOX', ['\\Seen']);
    await server.appendMessages(user, password, [rawMail(2), Buffer.from(rawMail(3))]);
    const list = await server.listMessages(user, password);
    expect(list.map((m) => m.messageId)).toEqual([
      '<msg-1@example.test>',
      '<msg-2@example.test>',
      '<msg-3@example.test>',
    ]);
    expect(list.map((m) => m.uid)).toEqual([1, 2, 3]);
    expect(list[0]?.flags).toContain('\\Seen');
    expect(list[1]?.flags).toEqual([]);
  });

  it('shares one install check between concurrent callers', async () => {
    const [a, b] = await Promise.all([ensureDovecotInstalled(), ensureDovecotInstalled()]);
    expect(a).toBe(b);
    expect(a).toMatch(/dovecot$/);
  });

  it('runs independent instances side by side', async () => {
    const other = await startDovecot({ users: [{ user: 'other@example.test', password: 'pw' }] });
    try {
      expect(other.port).not.toBe(server.port);
      expect(other.dir).not.toBe(server.dir);
      await other.appendMessage('other@example.test', 'pw', rawMail(50));
      expect(await other.listMessages('other@example.test', 'pw')).toHaveLength(1);
      await expect(other.listMessages(user, password)).rejects.toThrow();
    } finally {
      await other.stop();
    }
    expect(existsSync(other.dir)).toBe(false);
  });

  it('rejects a wrong password', async () => {
    await expect(server.listMessages(user, 'wrong')).rejects.toThrow();
  });

  it('creates a missing mailbox on append', async () => {
    await server.appendMessage(user, password, rawMail(99), 'Archive');
    expect(await server.listMessages(user, password, 'Archive')).toHaveLength(1);
  });

  it('delivers EXISTS to an idling client, and survives a restart', async () => {
    const client = imapClient(server);
    client.on('error', () => {});
    await client.connect();
    const box = await client.mailboxOpen('INBOX');
    expect(box.exists).toBe(3);
    const exists = new Promise<number>((resolve) => client.once('exists', (e) => resolve(e.count)));
    await new Promise((r) => setTimeout(r, 300)); // let auto-IDLE start
    expect(client.idling).toBe(true);
    await server.appendMessage(user, password, rawMail(4));
    expect(await exists).toBe(4);

    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    const t0 = Date.now();
    await server.restart();
    console.info(`Dovecot restarted in ${Date.now() - t0} ms`);
    await closed; // the IDLE connection was dropped by the restart

    const again = imapClient(server);
    await again.connect();
    try {
      expect((await again.mailboxOpen('INBOX')).exists).toBe(4);
    } finally {
      await again.logout();
    }
    expect(await server.listMessages(user, password)).toHaveLength(4);
  });
});

describe('SMTP capture harness', () => {
  let smtp: SmtpCapture;
  const auth = { user: 'bot@example.test', pass: 'smtp-secret' };
  const transport = () =>
    nodemailer.createTransport({ host: smtp.host, port: smtp.port, secure: false, ignoreTLS: true, auth });
  const mail = (n: number) => ({
    from: 'bot@example.test',
    to: 'customer@example.test',
    subject: `Re: Ticket ${n}`,
    text: `Reply ${n}`,
  });

  beforeAll(async () => {
    smtp = await startSmtpCapture({ user: auth.user, password: auth.pass });
  });
  afterAll(async () => {
    await smtp?.stop();
  });

  it('captures a message with threading headers intact', async () => {
    smtp.clear();
    await transport().sendMail({
      ...mail(1),
      inReplyTo: '<orig@example.test>',
      references: ['<root@example.test>', '<orig@example.test>'],
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    const [msg] = await smtp.waitForMessages(1);
    expect(msg?.envelope).toEqual({ from: 'bot@example.test', to: ['customer@example.test'] });
    expect(msg?.parsed.inReplyTo).toBe('<orig@example.test>');
    expect(msg?.parsed.references).toEqual(['<root@example.test>', '<orig@example.test>']);
    expect(msg?.parsed.headers.get('auto-submitted')).toBe('auto-replied');
    expect(msg?.raw.toString()).toMatch(/^Auto-Submitted: auto-replied\r$/m);
    expect(msg?.parsed.text?.trim()).toBe('Reply 1');
  });

  it('waits for a matching message', async () => {
    smtp.clear();
    const waiting = smtp.waitFor((m) => m.parsed.subject === 'Re: Ticket 3', 5_000);
    await transport().sendMail(mail(2));
    await transport().sendMail(mail(3));
    expect((await waiting).parsed.text?.trim()).toBe('Reply 3');
    await expect(smtp.waitForMessages(5, 100)).rejects.toThrow(/timed out/);
  });

  it('requires the configured credentials', async () => {
    const bad = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: false,
      ignoreTLS: true,
      auth: { user: auth.user, pass: 'nope' },
    });
    await expect(bad.sendMail(mail(4))).rejects.toMatchObject({ responseCode: 535 });
  });

  it('injects a transient DATA failure once', async () => {
    smtp.clear();
    smtp.failNext('transient');
    const err = await transport()
      .sendMail(mail(5))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ responseCode: 451 });
    expect(String((err as Error).message)).toContain('4.3.0');
    expect(smtp.messages).toHaveLength(0);
    await transport().sendMail(mail(5));
    expect(await smtp.waitForMessages(1)).toHaveLength(1);
  });

  it('injects permanent failures at DATA and RCPT', async () => {
    smtp.clear();
    smtp.failNext('permanent');
    const err = await transport()
      .sendMail(mail(6))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ responseCode: 550 });
    expect(String((err as Error).message)).toContain('5.1.1');
    smtp.failNext('permanent', 1, 'rcpt');
    await expect(transport().sendMail(mail(7))).rejects.toMatchObject({ responseCode: 550 });
    smtp.failNext('transient', 2);
    await expect(transport().sendMail(mail(8))).rejects.toMatchObject({ responseCode: 451 });
    await expect(transport().sendMail(mail(8))).rejects.toMatchObject({ responseCode: 451 });
    await transport().sendMail(mail(8));
    expect(smtp.messages.map((m) => m.parsed.subject)).toEqual(['Re: Ticket 8']);
  });
});
