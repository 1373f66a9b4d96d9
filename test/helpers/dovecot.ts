import type { ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import {
  DovecotStartError,
  ensureDovecotInstalled,
  freePort,
  launchDovecot,
  stopDovecot,
} from './dovecot-process.js';

export { ensureDovecotInstalled } from './dovecot-process.js';

/** An IMAP account of a test Dovecot instance. */
export interface DovecotUser {
  user: string;
  password: string;
}

/** One message as seen by {@link DovecotServer.listMessages}. */
export interface DovecotMessage {
  uid: number;
  flags: string[];
  messageId?: string;
}

/** A Dovecot IMAP server running as a child process on loopback, with its own temp dir. */
export interface DovecotServer {
  host: '127.0.0.1';
  port: number;
  users: DovecotUser[];
  /** The instance's temp dir (config, log, mail); removed by `stop()`. */
  dir: string;
  /** Kills the server (SIGTERM, SIGKILL after 3 s) and removes its temp dir. */
  stop(): Promise<void>;
  /** Stops the server and starts it again on the same port with the same mail. */
  restart(): Promise<void>;
  /** APPENDs one message from a separate IMAP connection. */
  appendMessage(
    user: string,
    password: string,
    raw: Buffer | string,
    mailbox?: string,
    flags?: string[],
    /** The IMAP internal date (when the mail reached the mailbox); default now. */
    internalDate?: Date,
  ): Promise<void>;
  /** APPENDs many messages over one IMAP connection (for bulk fixtures and benchmarks). */
  appendMessages(
    user: string,
    password: string,
    raws: Array<Buffer | string>,
    mailbox?: string,
  ): Promise<void>;
  /** Lists the messages of a mailbox (read-only, so flags stay as they are), in UID order, without `\Recent`. */
  listMessages(user: string, password: string, mailbox?: string): Promise<DovecotMessage[]>;
}

/** The account every instance has unless `users` is given. */
export const DEFAULT_DOVECOT_USER: DovecotUser = { user: 'helpdesk@example.test', password: 'secret' };

/**
 * Starts a fresh Dovecot IMAP server on 127.0.0.1 (free port, own temp dir, plaintext LOGIN allowed).
 * Installs dovecot first if needed (see {@link ensureDovecotInstalled}).
 * @param options.users accounts to create; defaults to {@link DEFAULT_DOVECOT_USER}
 */
export async function startDovecot(options: { users?: DovecotUser[] } = {}): Promise<DovecotServer> {
  const bin = await ensureDovecotInstalled();
  const users = options.users ?? [DEFAULT_DOVECOT_USER];
  for (const u of users) {
    if (/[:\n]/.test(u.user + u.password))
      throw new Error(`invalid Dovecot user ${u.user}: no ':' or newline`);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dovecot-'));
  await chmod(dir, 0o755);
  await writeFile(
    path.join(dir, 'users'),
    users.map((u) => `${u.user}:{PLAIN}${u.password}::::::\n`).join(''),
  );
  await mkdir(path.join(dir, 'mail'));
  let port = 0;
  let child: ChildProcess | undefined;

  /** Starts on a new free port (fresh) or on the same one, retrying while the port is taken. */
  const start = async (fresh: boolean) => {
    for (let attempt = 1; ; attempt++) {
      if (fresh) port = await freePort();
      try {
        child = await launchDovecot(bin, dir, port);
        return;
      } catch (err) {
        if (!(err instanceof DovecotStartError && err.addressInUse) || attempt >= 5) throw err;
        if (!fresh) await new Promise((r) => setTimeout(r, 200));
      }
    }
  };

  const withClient = async <T>(
    user: string,
    password: string,
    fn: (c: ImapFlow) => Promise<T>,
  ): Promise<T> => {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: false,
      auth: { user, pass: password },
      logger: false,
      disableAutoIdle: true,
    });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  };

  const appendOne = async (
    client: ImapFlow,
    mailbox: string,
    raw: Buffer | string,
    flags?: string[],
    internalDate?: Date,
  ) => {
    const res = await client
      .append(mailbox, raw, flags, internalDate)
      .catch(async (err: { serverResponseCode?: string }) => {
        if (err.serverResponseCode !== 'TRYCREATE') throw err;
        await client.mailboxCreate(mailbox);
        return client.append(mailbox, raw, flags, internalDate);
      });
    if (!res) throw new Error(`APPEND to ${mailbox} failed`);
  };

  try {
    await start(true);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  return {
    host: '127.0.0.1',
    port,
    users,
    dir,
    async stop() {
      if (child) await stopDovecot(child);
      await rm(dir, { recursive: true, force: true });
    },
    async restart() {
      if (child) await stopDovecot(child);
      await start(false);
    },
    appendMessage(user, password, raw, mailbox = 'INBOX', flags, internalDate) {
      return withClient(user, password, (c) => appendOne(c, mailbox, raw, flags, internalDate));
    },
    appendMessages(user, password, raws, mailbox = 'INBOX') {
      return withClient(user, password, async (c) => {
        for (const raw of raws) await appendOne(c, mailbox, raw);
      });
    },
    listMessages(user, password, mailbox = 'INBOX') {
      return withClient(user, password, async (c) => {
        const box = await c.mailboxOpen(mailbox, { readOnly: true });
        if (box.exists === 0) return [];
        const msgs = await c.fetchAll('1:*', { uid: true, flags: true, envelope: true });
        return msgs
          .map((m) => ({
            uid: m.uid,
            flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent'),
            messageId: m.envelope?.messageId,
          }))
          .sort((a, b) => a.uid - b.uid);
      });
    },
  };
}
