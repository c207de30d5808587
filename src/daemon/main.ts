import { writeFileSync } from 'node:fs';
import { readFile, unlink } from 'node:fs/promises';
import { Socket } from 'node:net';
import { IpcServer } from '../ipc/server.js';
import type { StopResult } from '../protocol/commands/session.js';
import { encodeFrame } from '../protocol/framing.js';
import type { ReadyMessage } from '../protocol/messages.js';
import { PROTOCOL_VERSION, VERSION } from '../protocol/version.js';
import { BdgError, toBdgError } from '../util/errors.js';
import { writeError, writeFileAtomic } from '../util/fsx.js';
import { newOwner, transferLock, type LockOwner } from '../util/lock.js';
import { Logger } from '../util/logger.js';
import { SessionPaths } from '../util/paths.js';
import type { DaemonConfig } from './config.js';
import { dispatch, timeoutFor } from './handlers.js';
import { Lifetime } from './lifetime.js';
import { readyState } from './dom/driver.js';
import { BrowserSession } from './session.js';
import { DownloadTracker, attachDownloads } from './downloads.js';
import { applyState, readStateFile } from './storageState.js';
import { buildSessionFile, saveSessionFile, type EndReason } from './sessionFile.js';

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

/** How a shutdown ended: the answer to `stop`, and why session.json could not be written when it could not. */
interface Ended {
  result: StopResult;
  saveError?: BdgError;
}

function diskFull(err: BdgError): boolean {
  const errno = (err.data as { errno?: string } | undefined)?.errno;
  return errno === 'ENOSPC' || errno === 'EDQUOT';
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
  // process.uptime, not performance.now: the `performance` global loads all of perf_hooks (0.2 MB of RSS) for one number.
  log.info(`daemon ${VERSION} starting for ${config.url} (${Math.round(process.uptime() * 1000)} ms after process start)`);

  const lock = newOwner(process.pid, 'daemon');
  if (!transferLock(paths.file('lock'), { nonce: config.starterNonce }, lock)) {
    report({
      type: 'error',
      error: {
        code: 'DAEMON_ALREADY_STARTING',
        message: 'Another bdg took the start lock first',
        hint: 'Run `bdg status` to see the session that is starting.',
      },
    });
    process.exit(1);
  }
  try {
    writeFileSync(paths.file('pid'), String(process.pid), { mode: 0o600 });
  } catch (err) {
    const e = toBdgError(writeError(paths.file('pid'), err));
    log.error('start-up failed', err);
    report({ type: 'error', error: e.toInfo() });
    await removeIfOurs(paths.file('lock'), lock);
    await log.close();
    process.exit(1);
  }

  // BDG_TRACE_CDP=1: every CDP message in and out goes to daemon.log (params and results cut at 2 KB each).
  const session = new BrowserSession(config, log, {
    ...(process.env['BDG_TRACE_CDP'] === '1' ? { trace: (line: string) => log.info(line) } : {}),
    // Written the moment Chrome exists (start-up, so synchronous): a daemon killed from here on leaves chrome.pid,
    // which names Chrome's process group, for the clean-up to find what Chrome's launcher left.
    onChromeLaunched: (pid) => {
      try {
        writeFileSync(paths.file('chromePid'), String(pid), { mode: 0o600 });
      } catch (err) {
        throw writeError(paths.file('chromePid'), err);
      }
    },
  });
  // Every way the daemon exits, crashes included, ends Chrome's process group (process.kill is synchronous).
  process.on('exit', () => session.endChromeGroup());
  let server: IpcServer | undefined;
  let shuttingDown: Promise<Ended> | undefined;
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

  /**
   * The one way out: collect, write session.json, close Chrome, remove our files. Idempotent while it succeeds.
   * session.json is written while Chrome is still open so that a `stop` which cannot write it (a full disk) fails
   * without ending anything: the session, Chrome and the telemetry stay for a retry once there is space. Every
   * other way out (auto-stop, a signal, Chrome gone, a daemon error) ends the session regardless, so the data goes
   * to a fallback copy under the OS temp dir and session.meta.json says where and why.
   */
  const shutdown = (reason: EndReason, detail?: string, killChrome = false): Promise<Ended> => {
    if (shuttingDown !== undefined) {
      // A `stop` that could not write session.json leaves the session running; whatever asked to end it meanwhile
      // (auto-stop, a signal, Chrome exiting) ends it once that attempt has failed.
      return reason === 'stopped' ? shuttingDown : shuttingDown.catch(() => shutdown(reason, detail, killChrome));
    }
    const attempt = (async (): Promise<Ended> => {
      log.info(`shutting down: ${reason}${detail !== undefined ? ` (${detail})` : ''}`);
      const crashed = reason === 'chrome-exited' || reason === 'connection-lost';
      let dom = null;
      if (!crashed) {
        await session.fetchTextBodies(3_000).catch(() => undefined);
        dom = await session.domSnapshot();
        log.debug('final data collected');
      }
      const doc = buildSessionFile(session.snapshot(), reason, detail, dom);
      const saved = await saveSessionFile(config.sessionDir, doc, { fallback: reason !== 'stopped' });
      if (saved.error !== undefined && reason === 'stopped') {
        log.error(`stop refused, the session keeps running: ${saved.error.message}`);
        throw new BdgError(
          'SESSION_FILE_ERROR',
          `${saved.error.message}; the session is still running and nothing was lost`,
          diskFull(saved.error)
            ? `Free space on the file system holding ${config.sessionDir} (session.json needs about ${Math.ceil(saved.bytes / 1_048_576)} MB), then run \`bdg stop\` again; the session keeps collecting meanwhile.`
            : `${saved.error.hint ?? 'Fix the cause named above.'} Then run \`bdg stop\` again; the session keeps collecting meanwhile.`,
          { ...(saved.error.data as object | undefined), sessionRunning: true },
        );
      }
      if (saved.error !== undefined) {
        log.error(`session.json could not be written: ${saved.error.message}`);
        if (saved.file !== null) log.warn(`the session's data was saved to ${saved.file} instead`);
        else log.error(`nor could a copy be written under the temp directory: ${saved.fallbackError?.message ?? 'unknown'}; the session's data is lost`);
      }
      clearTimeout(autoStop);
      // session.json (or its copy under the temp dir) is the record now; the journal is kept only when neither could
      // be written. Removing it first also frees the space the end note below needs on a full disk.
      if (saved.file !== null) await session.journal.remove();
      else await session.journal.close(reason);
      await session.close(killChrome).catch((err: unknown) => log.error('closing Chrome failed', err));
      log.debug('browser closed');
      const leaveNote = crashed || reason === 'daemon-error' || saved.error !== undefined;
      if (leaveNote) {
        // Leave a note for the next command, which tells the user what happened and removes it.
        const meta = JSON.parse(await readFile(paths.file('meta'), 'utf8').catch(() => '{}')) as Record<string, unknown>;
        const note = {
          ...meta,
          endedAt: new Date().toISOString(),
          endReason: reason,
          endDetail: detail ?? null,
          sessionFile: saved.file,
          sessionFileError: saved.error?.message ?? null,
        };
        await writeFileAtomic(paths.file('meta'), JSON.stringify(note)).catch((err: unknown) =>
          log.error('writing the end note to session.meta.json failed', err),
        );
      }
      // The socket stays open until here so that commands arriving while Chrome closes hear "stopping" rather
      // than finding no socket next to a live lock (which reads as a session still starting).
      const closing = server?.close();
      await removeFiles(leaveNote);
      log.info('shutdown complete');
      // Exit once the answer to `stop` has gone out; open idle connections do not hold us longer than a second.
      void Promise.race([closing, new Promise((r) => setTimeout(r, 1_000))]).then(async () => {
        log.debug(`exiting; ${server?.stats.connections ?? 0} connections open`);
        server?.destroyAll();
        await log.close();
        process.exit(0);
      });
      const result: StopResult = {
        stopped: true as const,
        reason,
        sessionFile: saved.file,
        network: doc.network.length,
        console: doc.console.length,
        // A shared browser's Chrome closes with its last session only.
        chromeClosed: session.shared !== undefined ? session.sharedChromeClosed : !session.attached || killChrome,
        ...(session.shared !== undefined ? { sharedBrowser: true } : {}),
      };
      return saved.error !== undefined ? { result, saveError: saved.error } : { result };
    })();
    shuttingDown = attempt;
    // A failed `stop` is over: the session answers commands again and the next `stop` tries again.
    attempt.catch(() => {
      if (shuttingDown === attempt) shuttingDown = undefined;
    });
    return attempt;
  };

  /** `bdg stop`: succeeds only when session.json is on disk. */
  const stop = async (killChrome: boolean): Promise<StopResult> => {
    const { result, saveError } = await shutdown('stopped', undefined, killChrome);
    if (saveError === undefined) return result;
    // Another way out (auto-stop, a signal, Chrome gone) was already ending the session when `stop` arrived.
    throw new BdgError(
      'SESSION_FILE_ERROR',
      `${saveError.message}; the session ended (${result.reason}) and its data was ${result.sessionFile !== null ? `saved to ${result.sessionFile} instead` : 'not saved anywhere (see daemon.log)'}`,
      saveError.hint,
      { ...(saveError.data as object | undefined), sessionFile: result.sessionFile, sessionRunning: false },
    );
  };

  // These never reject: only a `stop` whose session.json cannot be written does, and these are not `stop`.
  const end = (reason: EndReason, detail: string): void => void shutdown(reason, detail).catch((err: unknown) => log.error('shutdown failed', err));
  // Chrome gone before the session is ready fails the start-up (below) instead of ending a session not yet begun.
  let goneDuringStartup: ((err: BdgError) => void) | undefined;
  const startupGone = new Promise<never>((_, reject) => {
    goneDuringStartup = reject;
  });
  startupGone.catch(() => undefined);
  session.onGone((reason, detail) => {
    if (ready) end(reason, detail);
    else
      goneDuringStartup?.(
        session.chromeExitedError() ??
          new BdgError('CDP_CONNECTION_FAILED', `${detail} while the session was starting`, 'Check that Chrome is still running; the daemon log has details.'),
      );
  });
  // Idle timeout and owner: they end the session through the same shutdown as `bdg stop`.
  const lifetime = new Lifetime(config, log, (reason, detail) => end(reason, detail));
  process.on('SIGTERM', () => end('signal', 'SIGTERM'));
  process.on('SIGINT', () => end('signal', 'SIGINT'));
  process.on('SIGHUP', () => end('signal', 'SIGHUP'));
  process.on('uncaughtException', (err) => {
    log.error('uncaught exception', err);
    end('daemon-error', err.message);
  });
  process.on('unhandledRejection', (err) => {
    log.error('unhandled rejection', err);
  });

  try {
    await Promise.race([session.connect(), startupGone]);
    const startedAt = Date.now();
    server = new IpcServer({
      info: { pid: process.pid, version: VERSION, protocol: PROTOCOL_VERSION },
      timeoutFor,
      events: { onError: (message, err) => log.error(message, err) },
      // Every request but `status` is activity for the idle timeout (daemon/lifetime.ts).
      handler: (req, signal) =>
        lifetime.track(req.cmd, () =>
          dispatch(
            {
              session,
              sessionDir: config.sessionDir,
              socketPath: paths.file('socket'),
              stop,
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
          ),
        ),
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
      userDataDir: session.shared !== undefined ? `${session.shared.dir}/chrome-profile` : (config.userDataDir ?? `${config.sessionDir}/chrome-profile`),
      ...(session.grid !== undefined ? { grid: session.grid } : {}),
      // The clean-up of a session whose daemon died reads these to settle the shared browser (client/sharedBrowsers.ts).
      sharedBrowser: session.shared?.name ?? null,
      browserContextId: session.shared?.browserContextId ?? null,
    };
    await writeFileAtomic(paths.file('meta'), JSON.stringify(meta, null, 2));
    session.dialogs.setDefault(config.dialog, config.promptText);
    // Downloads go to the session directory in a Chrome bdg launched; someone's own Chrome (attached) keeps its own
    // download settings. A Chrome that refuses the setting still starts the session, without download reports.
    if (!session.attached) {
      const downloads = new DownloadTracker(config.sessionDir, log);
      await downloads.enable(session).then(
        () => attachDownloads(session, downloads),
        (err: unknown) => log.warn(`downloads are not tracked: ${err instanceof Error ? err.message : String(err)}`),
      );
    }
    if (config.stateFile !== undefined) await applyState(session, await readStateFile(config.stateFile));
    const nav = await Promise.race([session.navigate(config.url, config.loadTimeoutMs), startupGone]);
    if (config.timeoutSec !== undefined && config.timeoutSec > 0) {
      autoStop = setTimeout(() => end('timeout', `auto-stop after ${config.timeoutSec} s`), config.timeoutSec * 1000);
    }
    log.info(`ready: ${session.page.url}`);
    ready = true;
    lifetime.start();
    const notes = session.remote?.notes ?? [];
    report({
      type: 'ready',
      result: {
        ...meta,
        page: session.page,
        browser: session.browserVersion ?? null,
        readyState: await readyState(session),
        ...(notes.length > 0 ? { notes } : {}),
        ...nav,
      },
    });
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
