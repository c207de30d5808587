// The CLI under test: `bdg` in a session directory, its command list, `status --json`, and one request sent
// straight to the daemon's socket (the daemon's share without a Node start-up).
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { BASE_ENV, run } from './proc.mjs';

let BDG;

/** The built CLI to measure (`<dist>/bdg.js`); set once before anything runs. */
export function useCli(path) {
  BDG = path;
}

export const cliPath = () => BDG;

export function bdg(dir, args, { env = {}, timeoutMs = 60_000 } = {}) {
  return run(process.execPath, [BDG, ...args], { env: { ...BASE_ENV, BDG_SESSION_DIR: dir, ...env }, timeoutMs });
}

export async function hasCommand(words) {
  const r = await run(process.execPath, [BDG, '--help', '--json'], { timeoutMs: 20_000 });
  const cmds = r.json?.commands ?? [];
  const name = words.join('.');
  return cmds.some(
    (c) =>
      c.name === name ||
      c.command === words.join(' ') ||
      (Array.isArray(c.path) && c.path.join(' ') === words.join(' ')) ||
      (typeof c.usage === 'string' && c.usage.startsWith(`bdg ${words.join(' ')}`)),
  );
}

export async function statusJson(dir) {
  const r = await bdg(dir, ['status', '--json'], { timeoutMs: 30_000 });
  return r.code === 0 ? r.json?.data : undefined;
}

/** One JSONL request straight to the daemon socket, from this process: the IPC + handler cost without Node start-up. */
export function rawRequest(socketPath, cmd, build, protocol) {
  return new Promise((resolvePromise) => {
    const t0 = performance.now();
    const s = connect({ path: socketPath });
    let buf = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolvePromise({ ok: false, ms: null, error: 'timeout' });
    }, 5_000);
    s.on('connect', () => s.write(`${JSON.stringify({ id: 1, v: protocol, build, cmd, params: {} })}\n`));
    s.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl === -1) return;
      const ms = performance.now() - t0;
      clearTimeout(timer);
      s.destroy();
      try {
        const res = JSON.parse(buf.slice(0, nl));
        resolvePromise({ ok: res.ok === true, ms, error: res.ok === true ? undefined : res.error?.message });
      } catch (err) {
        resolvePromise({ ok: false, ms: null, error: String(err) });
      }
    });
    s.on('error', (err) => {
      clearTimeout(timer);
      resolvePromise({ ok: false, ms: null, error: String(err) });
    });
  });
}
