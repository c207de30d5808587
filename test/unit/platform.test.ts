import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { darwin, darwinChromeCandidates, parsePsCommand, parsePsList, parsePsStatus } from '../../src/platform/darwin.js';
import { platformFor } from '../../src/platform/index.js';
import { linux, linuxChromeCandidates, parseCmdline, parseEnviron, parseProcStat } from '../../src/platform/linux.js';
import { parseCimProcesses, win32ChromeCandidates } from '../../src/platform/win32.js';

// ---- Recorded output -------------------------------------------------------------------------------------------

// /proc/PID/stat of `cat`, of a copy of sleep named "(Web Content) x" (Firefox names its content processes so) and
// of a zombie sleep, recorded on the Linux reference VM.
const STAT_CAT =
  '13258 (cat) R 13256 13256 5474 0 -1 4194304 96 0 1 0 0 0 0 0 20 0 1 0 49958 3133440 393 18446744073709551615 94634612822016 94634612841897 140725826238768 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 94634612857904 94634612859520 94634811072512 140725826243295 140725826243315 140725826243315 140725826244587 0\n';
const STAT_WEB_CONTENT =
  '13261 ((Web Content) x) S 13256 13256 5474 0 -1 4194304 130 0 0 0 0 0 0 0 20 0 1 0 49959 2990080 390 18446744073709551615 94670470664192 94670470682121 140722527012176 0 0 0 0 6 0 1 0 0 17 1 0 0 0 0 0 94670470696208 94670470697472 94671470059520 140722527013535 140722527013573 140722527013573 140722527014868 0\n';
const STAT_ZOMBIE =
  '13823 (sleep) Z 13821 13819 5474 0 -1 4227084 96 0 0 0 0 0 0 0 20 0 1 0 54484 0 0 18446744073709551615 0 0 0 0 0 0 0 6 0 1 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n';

// macOS /bin/ps as the darwin implementation runs it (LC_ALL=C, TZ=UTC). There is no Mac here: these follow the
// layout of macOS ps (empty headers, right-aligned pid/ppid, STAT letters, lstart as C-locale %c, command last)
// and should be replaced by captures from a real Mac when one is available.
const PS_STATUS_RUNNING = 'Ss   Mon Jan  6 10:23:45 2025\n';
const PS_STATUS_ZOMBIE = 'Z    Tue Dec 17 09:05:02 2024\n';
const PS_COMMAND =
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome --remote-debugging-pipe --user-data-dir=/Users/ana/.bdg/chrome-profile --no-first-run about:blank\n';
const PS_LIST = [
  '    1     0 Ss   /sbin/launchd',
  '  318     1 Ss   /usr/libexec/logd',
  ' 4790   912 S+   node /usr/local/lib/node_modules/bdg/dist/daemon.js {"sessionDir":"/Users/ana/.bdg"}',
  ' 4821  4790 S    /Applications/Google Chrome.app/Contents/MacOS/Google Chrome --remote-debugging-pipe --user-data-dir=/Users/ana/.bdg/chrome-profile --headless=new about:blank',
  ' 4830  4821 S    /Applications/Google Chrome.app/Contents/Frameworks/Google Chrome Framework.framework/Versions/131.0.6778.86/Helpers/Google Chrome Helper (GPU).app/Contents/MacOS/Google Chrome Helper (GPU) --type=gpu-process --user-data-dir=/Users/ana/.bdg/chrome-profile',
  ' 4835  4821 S    /Applications/Google Chrome.app/Contents/Frameworks/Google Chrome Framework.framework/Versions/131.0.6778.86/Helpers/Google Chrome Helper (Renderer).app/Contents/MacOS/Google Chrome Helper (Renderer) --type=renderer --user-data-dir=/Users/ana/.bdg/chrome-profile',
  ' 5012  4790 Z    <defunct>',
  '91234     1 SN   /System/Library/Frameworks/CoreServices.framework/Frameworks/Metadata.framework/Versions/A/Support/mdworker_shared -s mdworker -c MDSImporterWorker',
  '',
].join('\n');

// Windows PowerShell 5.1: Get-CimInstance Win32_Process | Select-Object ProcessId,ParentProcessId,CommandLine |
// ConvertTo-Json -Compress. System processes and other users' processes have a null CommandLine. Written to that
// format, not captured on Windows (there is none here).
const CIM_LIST =
  '[{"ProcessId":0,"ParentProcessId":0,"CommandLine":null},{"ProcessId":4,"ParentProcessId":0,"CommandLine":null},' +
  '{"ProcessId":6112,"ParentProcessId":5508,"CommandLine":"\\"C:\\\\Program Files\\\\nodejs\\\\node.exe\\" C:\\\\Users\\\\ana\\\\AppData\\\\Roaming\\\\npm\\\\node_modules\\\\bdg\\\\dist\\\\daemon.js"},' +
  '{"ProcessId":7420,"ParentProcessId":6112,"CommandLine":"\\"C:\\\\Program Files\\\\Google\\\\Chrome\\\\Application\\\\chrome.exe\\" --remote-debugging-pipe --user-data-dir=C:\\\\Users\\\\ana\\\\.bdg\\\\chrome-profile about:blank"}]\r\n';
// The same with -Filter 'ProcessId=7420': one object, not an array.
const CIM_ONE =
  '{"ProcessId":7420,"ParentProcessId":6112,"CommandLine":"\\"C:\\\\Program Files\\\\Google\\\\Chrome\\\\Application\\\\chrome.exe\\" --remote-debugging-pipe"}\r\n';

// ---- Parsers -------------------------------------------------------------------------------------------------

test('linux: /proc/PID/stat fields, including a process name with spaces and parentheses', () => {
  assert.deepEqual(parseProcStat(STAT_CAT), { pid: 13258, comm: 'cat', state: 'R', ppid: 13256, pgid: 13256, startTime: '49958' });
  assert.deepEqual(parseProcStat(STAT_WEB_CONTENT), { pid: 13261, comm: '(Web Content) x', state: 'S', ppid: 13256, pgid: 13256, startTime: '49959' });
  assert.equal(parseProcStat(STAT_ZOMBIE)?.pgid, 13819);
  assert.equal(parseProcStat(STAT_ZOMBIE)?.state, 'Z');
  assert.equal(parseProcStat(''), undefined);
  assert.equal(parseProcStat('13258 (cat) R'), undefined);
  assert.equal(parseCmdline('/usr/bin/sleep\x0030\x00'), '/usr/bin/sleep 30 ');
  assert.deepEqual(parseEnviron('PATH=/usr/bin\x00BDG_X=a b\x00'), ['PATH=/usr/bin', 'BDG_X=a b']);
  assert.deepEqual(parseEnviron(''), []);
});

test('darwin: ps status (state + lstart), command and process list', () => {
  assert.deepEqual(parsePsStatus(PS_STATUS_RUNNING), { zombie: false, startTime: 'Mon Jan 6 10:23:45 2025' });
  assert.deepEqual(parsePsStatus(PS_STATUS_ZOMBIE), { zombie: true, startTime: 'Tue Dec 17 09:05:02 2024' });
  assert.equal(parsePsStatus(''), undefined, 'ps prints nothing (and exits 1) for a pid that does not exist');
  assert.equal(parsePsCommand(PS_COMMAND), PS_COMMAND.trimEnd());
  assert.equal(parsePsCommand('\n'), undefined);

  const list = parsePsList(PS_LIST);
  assert.equal(list.length, 8);
  assert.deepEqual(list[0], { pid: 1, ppid: 0, zombie: false, command: '/sbin/launchd' });
  assert.deepEqual(list[6], { pid: 5012, ppid: 4790, zombie: true, command: '<defunct>' });
  assert.equal(list[7]?.pid, 91234);
  const chrome = list.find((p) => p.pid === 4821);
  assert.equal(chrome?.ppid, 4790);
  assert.match(chrome?.command ?? '', /^\/Applications\/Google Chrome\.app\/.* --remote-debugging-pipe --user-data-dir=\/Users\/ana\/\.bdg\/chrome-profile /);
  assert.ok(list.find((p) => p.pid === 4835)?.command.includes(' --type=renderer'));
});

test('win32: CIM process list as an array, as one object, and empty', () => {
  const list = parseCimProcesses(CIM_LIST);
  assert.deepEqual(
    list.map((p) => [p.pid, p.ppid]),
    [
      [6112, 5508],
      [7420, 6112],
    ],
    'processes whose command line is null are left out',
  );
  assert.equal(
    list[1]?.command,
    '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --remote-debugging-pipe --user-data-dir=C:\\Users\\ana\\.bdg\\chrome-profile about:blank',
  );
  assert.deepEqual(
    parseCimProcesses(CIM_ONE).map((p) => p.pid),
    [7420],
  );
  assert.deepEqual(parseCimProcesses(''), []);
  assert.deepEqual(parseCimProcesses('not json'), []);
});

// ---- Chrome candidates -----------------------------------------------------------------------------------------

test('chrome candidates: CHROME_PATH alone when set, on every platform', () => {
  for (const f of [linuxChromeCandidates, darwinChromeCandidates, win32ChromeCandidates]) {
    assert.deepEqual(f({ CHROME_PATH: '/opt/my chrome/chrome', PATH: '/usr/bin' }), ['/opt/my chrome/chrome']);
    assert.notDeepEqual(f({ CHROME_PATH: '', PATH: '/usr/bin' }), [''], 'an empty CHROME_PATH counts as unset');
  }
});

test('chrome candidates: linux install locations, then names on PATH in PATH order', () => {
  const c = linuxChromeCandidates({ PATH: '/home/ana/bin::/usr/local/bin' });
  assert.equal(c[0], '/usr/lib/chromium/chromium');
  assert.ok(c.indexOf('/opt/google/chrome/chrome') < c.indexOf('/usr/bin/chromium'));
  assert.deepEqual(c.slice(-10), [
    '/home/ana/bin/google-chrome-stable',
    '/home/ana/bin/google-chrome',
    '/home/ana/bin/chromium',
    '/home/ana/bin/chromium-browser',
    '/home/ana/bin/chrome',
    '/usr/local/bin/google-chrome-stable',
    '/usr/local/bin/google-chrome',
    '/usr/local/bin/chromium',
    '/usr/local/bin/chromium-browser',
    '/usr/local/bin/chrome',
  ]);
});

test('chrome candidates: macOS apps in /Applications, then ~/Applications, then PATH', () => {
  const c = darwinChromeCandidates({ HOME: '/Users/ana', PATH: '/opt/homebrew/bin' });
  assert.deepEqual(c.slice(0, 6), [
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Google Chrome Canary.app/Contents/MacOS/Google Chrome Canary',
    '/Users/ana/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Users/ana/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Users/ana/Applications/Google Chrome Canary.app/Contents/MacOS/Google Chrome Canary',
  ]);
  assert.ok(c.includes('/opt/homebrew/bin/chromium'));
  assert.equal(darwinChromeCandidates({}).length, 3, 'no HOME, no PATH: /Applications only');
});

test('chrome candidates: Windows install paths from a fake env (names in any case), then chrome.exe on Path', () => {
  const env = {
    ProgramFiles: 'C:\\Program Files',
    'ProgramFiles(x86)': 'C:\\Program Files (x86)',
    LOCALAPPDATA: 'C:\\Users\\ana\\AppData\\Local',
    Path: 'C:\\Windows\\system32;;C:\\tools',
  };
  assert.deepEqual(win32ChromeCandidates(env), [
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
    'C:\\Users\\ana\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe',
    'C:\\Users\\ana\\AppData\\Local\\Chromium\\Application\\chrome.exe',
    'C:\\Users\\ana\\AppData\\Local\\Google\\Chrome SxS\\Application\\chrome.exe',
    'C:\\Windows\\system32\\chrome.exe',
    'C:\\tools\\chrome.exe',
  ]);
  // A 32-bit Windows has one Program Files; it is not listed twice.
  assert.deepEqual(win32ChromeCandidates({ PROGRAMFILES: 'C:\\Program Files', 'PROGRAMFILES(X86)': 'C:\\Program Files' }), [
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  ]);
});

test('one selection by OS; other Unixes get the /proc implementation', () => {
  assert.equal(platformFor('linux').name, 'linux');
  assert.equal(platformFor('darwin').name, 'darwin');
  assert.equal(platformFor('win32').name, 'win32');
  assert.equal(platformFor('freebsd').name, 'linux');
  assert.equal(platformFor('win32').processStartTime(process.pid), undefined, 'Windows has no start time (documented)');
});

// ---- Linux, end to end against real processes ------------------------------------------------------------------

function started(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid as number));
    child.once('error', reject);
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

const onLinux = { skip: process.platform !== 'linux' ? 'needs /proc' : false };

test('linux: start time, command line and listing of a live sleep; undefined once it is gone', onLinux, async () => {
  const marker = `${30 + Math.floor(Math.random() * 1000) / 1000}`;
  const child = spawn('sleep', [marker], { stdio: 'ignore', detached: true, env: { ...process.env, BDG_PLATFORM_TEST: marker } });
  const pid = await started(child);
  try {
    const startTime = linux.processStartTime(pid);
    assert.match(startTime ?? '', /^\d+$/);
    assert.equal(startTime, readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[19]);
    assert.equal(linux.processStartTime(pid), startTime, 'stable across readings');
    assert.notEqual(startTime, linux.processStartTime(process.pid));
    assert.equal(linux.commandLine(pid), `sleep ${marker} `);
    assert.equal(linux.isZombie(pid), false);
    const listed = linux.listProcesses((cmd) => cmd.includes(`sleep ${marker}`));
    // detached: sleep leads its own process group
    assert.deepEqual(listed, [{ pid, ppid: process.pid, zombie: false, command: `sleep ${marker} `, pgid: pid }]);
    assert.ok(linux.environment(pid)?.includes(`BDG_PLATFORM_TEST=${marker}`));
    assert.ok(linux.listProcesses().some((p) => p.pid === process.pid && p.ppid === process.ppid));
  } finally {
    process.kill(pid, 'SIGKILL');
    await exited(child);
  }
  assert.equal(linux.processStartTime(pid), undefined);
  assert.equal(linux.commandLine(pid), undefined);
  assert.equal(linux.environment(pid), undefined);
  assert.equal(linux.isZombie(pid), false);
  assert.equal(
    linux.listProcesses().some((p) => p.pid === pid),
    false,
  );
  assert.equal(linux.processStartTime(0), undefined);
  assert.equal(linux.processStartTime(-1), undefined);
});

test('linux: a process named "(Web Content) x" and a zombie, for real', onLinux, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bdg-platform-'));
  const exe = join(dir, '(Web Content) x');
  copyFileSync('/usr/bin/sleep', exe);
  // sh forks a short-lived child, then becomes `sleep 30`, which never reaps it: a zombie until sleep dies.
  const web = spawn(exe, ['30'], { stdio: 'ignore' });
  const parent = spawn('sh', ['-c', 'sleep 0 & exec sleep 30'], { stdio: 'ignore' });
  const [webPid, parentPid] = await Promise.all([started(web), started(parent)]);
  try {
    const stat = parseProcStat(readFileSync(`/proc/${webPid}/stat`, 'utf8'));
    assert.equal(stat?.comm, '(Web Content) x');
    assert.equal(linux.processStartTime(webPid), stat?.startTime);
    let zombie: number | undefined;
    for (let i = 0; i < 100 && zombie === undefined; i++) {
      zombie = linux.listProcesses().find((p) => p.ppid === parentPid && p.zombie)?.pid;
      if (zombie === undefined) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(zombie !== undefined, 'the reparented short-lived child is a zombie');
    assert.equal(linux.isZombie(zombie), true);
    assert.equal(linux.commandLine(zombie), '', 'a zombie has no arguments left');
    assert.equal(linux.isZombie(parentPid), false);
  } finally {
    process.kill(webPid, 'SIGKILL');
    process.kill(parentPid, 'SIGKILL');
    await Promise.all([exited(web), exited(parent)]);
  }
});

// The macOS implementation's ps options are BSD ones that procps ps also accepts: this exercises its exec path
// (no shell, fixed locale and time zone) here. It is not a test of macOS itself.
test(
  'darwin implementation against procps ps (exec smoke test)',
  { skip: process.platform !== 'linux' || !existsSync('/bin/ps') ? 'needs procps /bin/ps' : false },
  async () => {
    const child = spawn('sleep', ['30.5'], { stdio: 'ignore' });
    const pid = await started(child);
    const tz = process.env['TZ'];
    try {
      const startTime = darwin.processStartTime(pid);
      assert.match(startTime ?? '', /^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{1,2} \d\d:\d\d:\d\d \d{4}$/);
      process.env['TZ'] = 'America/New_York';
      assert.equal(darwin.processStartTime(pid), startTime, 'the caller’s time zone does not change the value');
      assert.equal(darwin.commandLine(pid), 'sleep 30.5');
      assert.equal(darwin.isZombie(pid), false);
      assert.deepEqual(
        darwin.listProcesses((c) => c === 'sleep 30.5').find((p) => p.pid === pid),
        { pid, ppid: process.pid, zombie: false, command: 'sleep 30.5' },
      );
    } finally {
      if (tz === undefined) delete process.env['TZ'];
      else process.env['TZ'] = tz;
      process.kill(pid, 'SIGKILL');
      await exited(child);
    }
    assert.equal(darwin.processStartTime(pid), undefined);
    assert.equal(darwin.commandLine(pid), undefined);
  },
);
