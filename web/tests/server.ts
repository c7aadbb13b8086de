// Starts the real binary on a free port with a fresh data folder, as the
// browser suite's fixture. LMS_BIN picks the binary (default: the debug
// build of this checkout); the app is served from web/dist.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');

export interface Server {
  url: string;
  dataDir: string;
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => res(port));
    });
  });
}

export async function startServer(extra: Record<string, string> = {}): Promise<Server> {
  const bin = process.env.LMS_BIN ?? join(root, 'target', 'debug', 'insite-lms');
  if (!existsSync(bin)) throw new Error(`no binary at ${bin}: run cargo build first (or set LMS_BIN)`);
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'lms-web-'));
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(bin, [], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      FUNCTIONS_CUSTOMHANDLER_PORT: String(port),
      LMS_DATA_DIR: dataDir,
      LMS_WEB_DIR: join(root, 'web', 'dist'),
      LMS_APP_URL: url,
      // Cheap hashing for speed; mails are delivered by the tests on demand.
      LMS_ARGON2_MEMORY_KIB: '64',
      LMS_ARGON2_ITERATIONS: '1',
      LMS_LOCAL_SCHEDULER: 'false',
      RUST_LOG: 'warn',
      ...extra,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(`${url}/api/health`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (child.exitCode !== null) throw new Error(`insite-lms exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    dataDir,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs the mail timer the Functions host would run, so queued mails become .eml files now. */
export async function deliverMails(server: Server): Promise<void> {
  const payload = {
    Data: { timer: { Schedule: { AdjustForDST: true }, ScheduleStatus: null, IsPastDue: false } },
    Metadata: { sys: { MethodName: 'deliver-notifications', UtcNow: new Date().toISOString(), RandGuid: '0f8fad5b-d9cb-469f-a165-70867728950e' } },
  };
  const r = await fetch(`${server.url}/deliver-notifications`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
  if (!r.ok) throw new Error(`deliver-notifications: ${r.status}`);
}

/** The invitation link of the newest mail to `to`, read from $LMS_DATA_DIR/mail/*.eml. */
export function invitationLink(server: Server, to: string): string {
  const dir = join(server.dataDir, 'mail');
  for (const name of readdirSync(dir).sort().reverse()) {
    const raw = readFileSync(join(dir, name), 'utf8');
    if (!raw.toLowerCase().includes(to.toLowerCase())) continue;
    // Undo quoted-printable soft line breaks and =3D before searching.
    const text = raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    const m = text.match(/https?:\/\/[^\s"<>]+\/invitations\/[A-Za-z0-9_\-.~%]+/);
    if (m) return m[0];
  }
  throw new Error(`no invitation mail to ${to} in ${dir}`);
}

/** The pass link of the newest mail to `to` that carries one (the approval mail). */
export function passLink(server: Server, to: string): string {
  const dir = join(server.dataDir, 'mail');
  for (const name of readdirSync(dir).sort().reverse()) {
    const raw = readFileSync(join(dir, name), 'utf8');
    if (!raw.toLowerCase().includes(to.toLowerCase())) continue;
    const text = raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    const m = text.match(/https?:\/\/[^\s"<>]+\/pass\/[A-Za-z0-9_-]{43}/);
    if (m) return m[0];
  }
  throw new Error(`no mail with a pass link to ${to} in ${dir}`);
}
