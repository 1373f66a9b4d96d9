import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chown, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ensureAptPackage } from './apt-install.js';

// Process-level plumbing for test/helpers/dovecot.ts: install, config, spawn, readiness, stop.

const INSTALL_HINT =
  'Dovecot is not installed (no /usr/sbin/dovecot): run `sudo apt-get install -y dovecot-imapd`';
const START_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 3_000;

const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function findDovecot(): string | undefined {
  const dirs = ['/usr/sbin', ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean)];
  return dirs.map((d) => path.join(d, 'dovecot')).find((p) => existsSync(p));
}

/**
 * Makes sure the dovecot binary exists, installing `dovecot-imapd` with apt-get when running as root.
 * Call it once from a vitest global setup; concurrent calls in one process share one install.
 * @returns the path of the dovecot binary
 * @throws when dovecot is missing and the process is not root (one-line install hint)
 */
export function ensureDovecotInstalled(): Promise<string> {
  return ensureAptPackage('dovecot-imapd', findDovecot, INSTALL_HINT);
}

function lookupId(file: string, name: string, fallback: number): number {
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  const id = Number(line?.split(':')[2]);
  return Number.isInteger(id) ? id : fallback;
}

function groupName(gid: number): string {
  const line = readFileSync('/etc/group', 'utf8')
    .split('\n')
    .find((l) => l.split(':')[2] === String(gid));
  return line?.split(':')[0] ?? String(gid);
}

/**
 * Renders the dovecot.conf of TESTING.md for an instance in `dir` listening on 127.0.0.1:`port`, plus
 * test-speed settings: `auth_failure_delay = 0` and no anvil auth penalty (a failed login would otherwise
 * delay the next logins from 127.0.0.1 by 2-15 s), and `mail_fsync = never` (5x faster APPEND).
 * As root, mail is owned by nobody:nogroup and dovecot's own users run the services.
 */
export function renderDovecotConfig(
  dir: string,
  port: number,
): { conf: string; mailUid: number; mailGid: number } {
  const root = process.getuid?.() === 0;
  const me = os.userInfo();
  const mailUid = root ? lookupId('/etc/passwd', 'nobody', 65534) : me.uid;
  const mailGid = root ? lookupId('/etc/group', 'nogroup', 65534) : me.gid;
  const iu = root ? 'dovecot' : me.username;
  const ig = root ? 'dovecot' : groupName(me.gid);
  const lu = root ? 'dovenull' : me.username;
  const conf = `protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = ${iu}
default_internal_group = ${ig}
default_login_user = ${lu}
first_valid_uid = ${mailUid}
mail_location = maildir:~/Maildir
mailbox_idle_check_interval = 1 secs
mail_fsync = never
auth_failure_delay = 0
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service stats {
  unix_listener stats-reader {
    user = ${iu}
  }
  unix_listener stats-writer {
    user = ${iu}
  }
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = passwd-file
  args = username_format=%u ${dir}/users
  default_fields = uid=${mailUid} gid=${mailGid} home=${dir}/mail/%u
}
`;
  return { conf, mailUid, mailGid };
}

/** Finds a free TCP port on 127.0.0.1 (bind port 0, then release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves true once the port greets with `* OK`, false if nothing listens or it says something else. */
function probeGreeting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1_000, () => done(false));
    sock.once('error', () => done(false));
    sock.once('data', (d: Buffer) => done(d.toString().startsWith('* OK')));
  });
}

/** Signals dovecot's whole process group (master, log, auth, imap...): the master alone leaves imap running. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Stops a dovecot started by {@link launchDovecot}: SIGTERM to its process group, SIGKILL after 3 s,
 * then SIGKILL to whatever is left of the group.
 */
export async function stopDovecot(child: ChildProcess): Promise<void> {
  const running = child.exitCode === null && child.signalCode === null;
  const exited = running ? new Promise<void>((r) => child.once('exit', () => r())) : Promise.resolve();
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
  // Stragglers have had their SIGTERM while the master shut down.
  signalGroup(child, 'SIGKILL');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function spawnDovecot(bin: string, confPath: string): ChildProcess {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const c of liveChildren) signalGroup(c, 'SIGKILL');
    });
  }
  const args = ['-F', '-c', confPath];
  // setpriv --pdeathsig: the kernel kills dovecot even if this process dies without running exit hooks.
  // detached: own process group, so stop() can signal the master and all its children together.
  const opts: SpawnOptions = { stdio: ['ignore', 'pipe', 'pipe'], detached: true };
  const child = existsSync('/usr/bin/setpriv')
    ? spawn('/usr/bin/setpriv', ['--pdeathsig', 'KILL', bin, ...args], opts)
    : spawn(bin, args, opts);
  liveChildren.add(child);
  child.on('exit', () => liveChildren.delete(child));
  // A forgotten stop() must not keep the test process alive; the exit hook still kills the group.
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as { unref?: () => void } | null)?.unref?.();
  return child;
}

/** Error thrown by {@link launchDovecot}; `addressInUse` tells the caller to retry. */
export class DovecotStartError extends Error {
  constructor(
    message: string,
    readonly addressInUse: boolean,
  ) {
    super(message);
  }
}

/**
 * Writes the config for `port` into `dir` (which holds `users` and `mail/`), starts `dovecot -F`
 * and resolves once 127.0.0.1:`port` greets with `* OK`.
 * @throws {DovecotStartError} with the log tail if dovecot exits or does not greet within 10 s
 */
export async function launchDovecot(bin: string, dir: string, port: number): Promise<ChildProcess> {
  const confPath = path.join(dir, 'dovecot.conf');
  const { conf, mailUid, mailGid } = renderDovecotConfig(dir, port);
  await writeFile(confPath, conf);
  await chown(path.join(dir, 'mail'), mailUid, mailGid);
  const child = spawnDovecot(bin, confPath);
  let output = '';
  const collect = (d: Buffer) => {
    output += d.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const fail = async (why: string) => {
    const log = await readFile(path.join(dir, 'dovecot.log'), 'utf8').catch(() => '');
    const tail = `${log}\n${output}`.trim().split('\n').slice(-20).join('\n');
    return new DovecotStartError(`${why} (dir ${dir}):\n${tail}`, /address already in use/i.test(tail));
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw await fail(`dovecot exited (${child.exitCode ?? child.signalCode})`);
    }
    if (await probeGreeting(port)) return child;
    await sleep(25);
  }
  await stopDovecot(child);
  throw await fail(`dovecot did not greet on 127.0.0.1:${port} within ${START_TIMEOUT_MS} ms`);
}
