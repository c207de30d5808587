import { writeFileSync } from 'node:fs';
import { readFile, unlink } from 'node:fs/promises';
import { Socket } from 'node:net';
import { IpcServer } from '../ipc/server.js';
import type { StopResult } from '../protocol/commands/session.js';
import { encodeFrame } from '../protocol/framing.js';
import type { ReadyMessage } from '../protocol/messages.js';
import { PROTOCOL_VERSION, VERSION } from '../protocol/version.js';
import { BdgError, toBdgError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fsx.js';
import { newOwner, transferLock, type LockOwner } from '../util/lock.js';
import { Logger } from '../util/logger.js';
import { SessionPaths } from '../util/paths.js';
import type { DaemonConfig } from './config.js';
import { dispatch, timeoutFor } from './handlers.js';
import { Lifetime } from './lifetime.js';
import { BrowserSession } from './session.js';
import { buildSessionFile, writeSessionFile, type EndReason } from './sessionFile.js';

/** The start-up channel to the CLI that spawned us (fd 3). Writes after the CLI went away are dropped. */
function openReadyChannel(): (msg: ReadyMessage) => void {
  let channel: Socket | undefined;
  try {
    channel = new Socket({ fd: 3, readable: false, writable: true });
    channel.on('error', () => undefined);
  } catch {
    channel = undefined;
  }
  return (msg) => {
    if (channel === undefined || channel.destroyed) return;
    channel.write(encodeFrame(msg));
    if (msg.type !== 'progress') channel.end();
  };
}

async function removeIfOurs(path: string, lock: LockOwner): Promise<void> {
  try {
    const current = JSON.parse(await readFile(path, 'utf8')) as Partial<LockOwner>;
    if (current.nonce === lock.nonce) await unlink(path);
  } catch {
    /* gone or unreadable: not ours to remove */
  }
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as DaemonConfig;
  process.umask(0o077);
  const paths = new SessionPaths(config.sessionDir);
  const log = new Logger(paths.file('log'), { level: process.env['BDG_DEBUG'] !== undefined ? 'debug' : 'info' });
  const report = openReadyChannel();
  log.info(`daemon ${VERSION} starting for ${config.url} (${Math.round(performance.now())} ms after process start)`);

  const lock = newOwner(process.pid, 'daemon');
  if (!transferLock(paths.file('lock'), { nonce: config.starterNonce }, lock)) {
    report({ type: 'error', error: { code: 'DAEMON_ALREADY_STARTING', message: 'Another bdg took the start lock first', hint: 'Run `bdg status` to see the session that is starting.' } });
    process.exit(1);
  }
  writeFileSync(paths.file('pid'), String(process.pid), { mode: 0o600 });

  // BDG_TRACE_CDP=1: every CDP message in and out goes to daemon.log (params and results cut at 2 KB each).
  const session = new BrowserSession(config, log, process.env['BDG_TRACE_CDP'] === '1' ? { trace: (line) => log.info(line) } : {});
  let server: IpcServer | undefined;
  let shuttingDown: Promise<StopResult> | undefined;
  let autoStop: NodeJS.Timeout | undefined;
  let ready = false;

  const removeFiles = async (keepMeta: boolean): Promise<void> => {
    await Promise.all([
      unlink(paths.file('socket')).catch(() => undefined),
      unlink(paths.file('chromePid')).catch(() => undefined),
      keepMeta ? Promise.resolve() : unlink(paths.file('meta')).catch(() => undefined),
    ]);
    const pid = await readFile(paths.file('pid'), 'utf8').catch(() => '');
    if (pid.trim() === String(process.pid)) await unlink(paths.file('pid')).catch(() => undefined);
    await removeIfOurs(paths.file('lock'), lock);
  };

  /** The one way out: collect, close Chrome, write session.json, remove our files. Idempotent. */
  const shutdown = (reason: EndReason, detail?: string, killChrome = false): Promise<StopResult> => {
    if (shuttingDown !== undefined) return shuttingDown;
    shuttingDown = (async () => {
      log.info(`shutting down: ${reason}${detail !== undefined ? ` (${detail})` : ''}`);
      clearTimeout(autoStop);
      const crashed = reason === 'chrome-exited' || reason === 'connection-lost';
      let dom = null;
      if (!crashed) {
        await session.fetchTextBodies(3_000).catch(() => undefined);
        dom = await session.domSnapshot();
        log.debug('final data collected');
      }
      await session.close(killChrome).catch((err: unknown) => log.error('closing Chrome failed', err));
      log.debug('browser closed');
      const doc = buildSessionFile(session.snapshot(), reason, detail, dom);
      let sessionFile: string | null;
      try {
        sessionFile = await writeSessionFile(config.sessionDir, doc);
      } catch (err) {
        log.error('writing session.json failed', err);
        sessionFile = null;
      }
      if (crashed || reason === 'daemon-error') {
        // Leave a note for the next command, which tells the user what happened and removes it.
        const meta = JSON.parse(await readFile(paths.file('meta'), 'utf8').catch(() => '{}')) as Record<string, unknown>;
        await writeFileAtomic(paths.file('meta'), JSON.stringify({ ...meta, endedAt: new Date().toISOString(), endReason: reason, endDetail: detail ?? null, sessionFile })).catch(() => undefined);
      }
      // The socket stays open until here so that commands arriving while Chrome closes hear "stopping" rather
      // than finding no socket next to a live lock (which reads as a session still starting).
      const closing = server?.close();
      await removeFiles(crashed || reason === 'daemon-error');
      log.info('shutdown complete');
      // Exit once the answer to `stop` has gone out; open idle connections do not hold us longer than a second.
      void Promise.race([closing, new Promise((r) => setTimeout(r, 1_000))]).then(async () => {
        log.debug(`exiting; ${server?.stats.connections ?? 0} connections open`);
        server?.destroyAll();
        await log.close();
        process.exit(0);
      });
      return {
        stopped: true as const,
        reason,
        sessionFile,
        network: doc.network.length,
        console: doc.console.length,
        chromeClosed: !session.attached || killChrome,
      };
    })();
    return shuttingDown;
  };

  // Idle timeout and owner: they end the session through the same shutdown as `bdg stop`.
  const lifetime = new Lifetime(config, log, (reason, detail) => void shutdown(reason, detail));
  session.onGone((reason, detail) => void shutdown(reason, detail));
  process.on('SIGTERM', () => void shutdown('signal', 'SIGTERM'));
  process.on('SIGINT', () => void shutdown('signal', 'SIGINT'));
  process.on('SIGHUP', () => void shutdown('signal', 'SIGHUP'));
  process.on('uncaughtException', (err) => {
    log.error('uncaught exception', err);
    void shutdown('daemon-error', err.message);
  });
  process.on('unhandledRejection', (err) => {
    log.error('unhandled rejection', err);
  });

  try {
    await session.connect();
    if (session.chromePid !== undefined) writeFileSync(paths.file('chromePid'), String(session.chromePid), { mode: 0o600 });
    const startedAt = Date.now();
    server = new IpcServer({
      info: { pid: process.pid, version: VERSION, protocol: PROTOCOL_VERSION },
      timeoutFor,
      events: { onError: (message, err) => log.error(message, err) },
      // Every request but `status` is activity for the idle timeout (daemon/lifetime.ts).
      handler: (req, signal) =>
        lifetime.track(req.cmd, () => dispatch(
          {
            session,
            sessionDir: config.sessionDir,
            socketPath: paths.file('socket'),
            stop: (killChrome) => shutdown('stopped', undefined, killChrome),
            ipcStats: () => server?.stats,
            startedAt,
            timeoutSec: config.timeoutSec,
            starting: () => !ready,
            stopping: () => shuttingDown !== undefined,
            sessionName: config.sessionName,
            lifetime,
          },
          req,
          signal,
        )),
    });
    await server.listen(paths.file('socket'));
    const meta = {
      pid: process.pid,
      chromePid: session.chromePid ?? null,
      port: session.port ?? null,
      wsEndpoint: session.wsEndpoint ?? null,
      url: config.url,
      startedAt: new Date(startedAt).toISOString(),
      headless: config.headless,
      attached: session.attached,
      bdgVersion: VERSION,
      socket: paths.file('socket'),
      userDataDir: config.userDataDir ?? `${config.sessionDir}/chrome-profile`,
    };
    await writeFileAtomic(paths.file('meta'), JSON.stringify(meta, null, 2));
    const nav = await session.navigate(config.url, config.loadTimeoutMs);
    if (config.timeoutSec !== undefined && config.timeoutSec > 0) {
      autoStop = setTimeout(() => void shutdown('timeout', `auto-stop after ${config.timeoutSec} s`), config.timeoutSec * 1000);
    }
    log.info(`ready: ${session.page.url}`);
    ready = true;
    lifetime.start();
    report({ type: 'ready', result: { ...meta, page: session.page, browser: session.browserVersion ?? null, ...nav } });
  } catch (err) {
    const e = toBdgError(err);
    log.error('start-up failed', err);
    report({ type: 'error', error: e.toInfo() });
    await session.close(true).catch(() => undefined);
    server?.destroyAll();
    await server?.close();
    await removeFiles(false);
    await log.close();
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  // Only reachable before the logger exists; the CLI reads the start-up pipe and daemon.log.
  process.stderr.write(`bdg daemon failed: ${err instanceof BdgError ? err.message : String(err)}\n`);
  process.exit(1);
});
