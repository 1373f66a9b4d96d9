import { spawn } from 'node:child_process';

/** Runs a command, collecting stdout and stderr together; never rejects. */
function run(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.on('error', (err) => resolve({ code: -1, output: `${output}${err.message}` }));
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

const installs = new Map<string, Promise<string>>();

/**
 * Makes sure a Debian package's binary is there (Chromium, Dovecot: real peers, shared/TESTING.md),
 * installing `pkg` with apt-get when running as root (as on our machines and CI), with an
 * `apt-get update` and a second try when the first fails. Waits for the dpkg lock (another apt)
 * instead of failing. Not root and missing: throws `hint` (a one-line install command).
 * Concurrent calls in one process share one install; a failed one may be tried again.
 * @param find the binary's path when present
 * @returns the binary's path
 */
export function ensureAptPackage(pkg: string, find: () => string | undefined, hint: string): Promise<string> {
  let pending = installs.get(pkg);
  if (!pending) {
    pending = install(pkg, find, hint).catch((error: unknown) => {
      installs.delete(pkg);
      throw error;
    });
    installs.set(pkg, pending);
  }
  return pending;
}

async function install(pkg: string, find: () => string | undefined, hint: string): Promise<string> {
  const found = find();
  if (found) return found;
  if (process.getuid?.() !== 0) {
    console.warn(hint);
    throw new Error(hint);
  }
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  let result = await run('apt-get', [...lock, 'install', '-y', pkg]);
  if (result.code !== 0) {
    await run('apt-get', [...lock, 'update']);
    result = await run('apt-get', [...lock, 'install', '-y', pkg]);
  }
  const bin = find();
  if (result.code !== 0 || !bin) {
    throw new Error(`apt-get install -y ${pkg} failed (exit ${result.code}):\n${result.output.slice(-2000)}`);
  }
  return bin;
}
