import type { BoundedFields } from '../../util/bounded.js';
import { fullOption } from '../spec.js';
import type { BufferStats, ConsoleRecord, IssueRecord, NavigationRecord, NetworkBufferStats, NetworkListItem, NetworkRecord, PageInfo } from '../records.js';
import type { ThrottleState } from './network.js';
import type { EmulationState } from '../emulation.js';
import type { CommandSpec, OptionSpec } from '../spec.js';

export const lastOption = {
  type: 'number',
  integer: true,
  min: 0,
  max: 1_000_000,
  default: 10,
  placeholder: 'N',
  description: 'Show the N newest items of each kind (0: all)',
} as const satisfies OptionSpec;

/** The session core: start, inspect, stop. */
export const SESSION_COMMANDS = [
  {
    name: 'start',
    path: [],
    summary: 'Start a session: launch (or attach to) Chrome, open the URL and collect telemetry in the background (viewport 1920x1080 unless --viewport)',
    args: [{ name: 'url', required: true, description: 'Page to open; bare hosts work (localhost:3000 -> http, example.com -> https)' }],
    options: {
      headless: { type: 'boolean', negatable: true, description: 'Run Chrome without a window (default: when there is no display)' },
      port: {
        type: 'number',
        integer: true,
        min: 0,
        max: 65535,
        default: 0,
        placeholder: 'N',
        description: 'Chrome remote debugging port on 127.0.0.1 (default: a free one)',
      },
      // Timers hold at most 2^31-1 ms (24.8 days); Node fires a longer one at once, which would stop the session at start.
      timeout: { type: 'number', min: 0, max: 2_147_483, placeholder: 'S', description: 'Auto-stop after S seconds' },
      'user-data-dir': { type: 'string', placeholder: 'DIR', description: 'Chrome profile directory (default: one in the session directory)' },
      'chrome-flags': { type: 'string', placeholder: 'FLAGS', description: 'Extra Chrome flags, split like shell words (no shell is run)' },
      'chrome-ws-url': {
        type: 'string',
        placeholder: 'URL',
        description: 'Attach to a running Chrome (host:port, http(s) or ws(s) URL); left running on stop',
      },
      'cdp-header': {
        type: 'string',
        repeatable: true,
        placeholder: '"NAME: VALUE"',
        description: 'Header for --chrome-ws-url/--grid (Host too); values never shown',
      },
      grid: {
        type: 'string',
        placeholder: 'URL',
        description: 'Run Chrome on a Selenium Grid 4',
      },
      capabilities: {
        type: 'string',
        placeholder: 'JSON',
        description: 'W3C capabilities for --grid',
      },
      all: { type: 'boolean', default: false, description: 'Also record analytics and ad requests (filtered by default)' },
      'max-body-size': {
        type: 'number',
        min: 0,
        max: 1024,
        default: 5,
        placeholder: 'MB',
        description: 'Largest response body kept per request (MB)',
      },
      'load-timeout': {
        type: 'number',
        min: 1,
        max: 600,
        default: 30,
        placeholder: 'S',
        description: 'Seconds to wait for the first load',
      },
      // No default here: absent means BDG_IDLE_TIMEOUT, else 3600 (client/lifetime.ts), which a default would hide.
      'idle-timeout': {
        type: 'number',
        min: 0,
        max: 2_147_483,
        placeholder: 'S',
        description: 'Stop after S seconds with no command but status (headless Chrome bdg launched only; 0 = never; default: BDG_IDLE_TIMEOUT, else 3600)',
      },
      'shared-browser': {
        type: 'string',
        placeholder: 'NAME',
        valueOptional: 'default',
        description:
          'Share one Chrome among sessions: start or join the shared browser NAME (default: default), in a browser context of its own (cookies, storage, cache); it closes with its last session',
      },
      viewport: {
        type: 'string',
        placeholder: 'WxH',
        description: 'Viewport in CSS px, e.g. 1280x720 (default: 1920x1080)',
      },
      'color-scheme': { type: 'string', choices: ['light', 'dark'], placeholder: 'SCHEME', description: 'prefers-color-scheme' },
      mobile: { type: 'boolean', default: false, description: 'Phone: 390x844 at 3x, touch, mobile user agent' },
      'user-agent': { type: 'string', placeholder: 'UA', description: 'User agent string' },
      state: {
        type: 'string',
        placeholder: 'FILE',
        description: 'Cookies and storage from a `bdg state save` file, loaded before the first page',
      },
      dialog: {
        type: 'string',
        choices: ['accept', 'dismiss'],
        placeholder: 'ACTION',
        description: "The session's answer to JavaScript dialogs (default accept; an action's --dialog overrides it)",
      },
      'prompt-text': {
        type: 'string',
        placeholder: 'TEXT',
        description: 'Answer to accepted prompt() dialogs (default: its default text)',
      },
      'owner-pid': {
        type: 'number',
        integer: true,
        min: 1,
        max: 2_147_483_647,
        placeholder: 'PID',
        description: 'Stop when process PID exits (checked by pid and start time; default: BDG_OWNER_PID)',
      },
    },
    readOnly: false,
    runs: 'cli',
    examples: [
      'bdg localhost:3000',
      'bdg example.com --timeout 60',
      'bdg https://app.test --no-headless',
      'bdg localhost:8080 --chrome-ws-url 127.0.0.1:9222',
      'bdg app.test --chrome-ws-url wss://browsers.example/chrome --cdp-header "Authorization: Bearer $TOKEN"',
      'bdg localhost:3000 --grid http://127.0.0.1:4444',
      'bdg localhost:3000 --session agent-1 --idle-timeout 600',
      'bdg localhost:3000 --owner-pid 4242',
      'bdg localhost:3000 --session agent-2 --shared-browser',
      'bdg localhost:3000 --viewport 1280x720 --color-scheme dark',
      'bdg localhost:3000 --state ./auth.json --dialog dismiss',
    ],
  },
  {
    name: 'status',
    path: ['status'],
    summary: 'Show whether a session is running, its page, Chrome, and what has been collected',
    args: [],
    options: { verbose: { type: 'boolean', default: false, description: 'Also show Chrome details, buffers and file paths' } },
    readOnly: true,
    runs: 'daemon',
    examples: ['bdg status', 'bdg status --json', 'bdg status --verbose'],
  },
  {
    name: 'peek',
    path: ['peek'],
    summary: 'Show the newest network requests and console messages',
    args: [],
    options: {
      full: fullOption,
      last: lastOption,
      network: { type: 'boolean', default: false, description: 'Only network requests' },
      console: { type: 'boolean', default: false, description: 'Only console messages (and Chrome Issues)' },
      follow: { type: 'boolean', default: false, description: 'Keep printing new items until interrupted' },
      verbose: {
        type: 'boolean',
        default: false,
        description: 'Fuller lines: resource type, whole console texts and source URLs, issue resources',
      },
    },
    listing: { rows: ['network', 'console'], keep: 'newest' },
    readOnly: true,
    runs: 'daemon',
    examples: ['bdg peek', 'bdg peek --last 50 --network', 'bdg peek --verbose', 'bdg peek --console --json'],
  },
  {
    name: 'tail',
    path: ['tail'],
    summary: 'Follow new network requests and console messages as they happen (peek --follow)',
    args: [],
    options: {
      last: lastOption,
      network: { type: 'boolean', default: false, description: 'Only network requests' },
      console: { type: 'boolean', default: false, description: 'Only console messages' },
      interval: { type: 'number', integer: true, min: 100, max: 60_000, default: 1000, placeholder: 'MS', description: 'Polling interval in milliseconds' },
      verbose: { type: 'boolean', default: false, description: 'Fuller lines (as peek --verbose)' },
    },
    readOnly: true,
    runs: 'daemon',
    follows: true,
    via: 'peek',
    examples: ['bdg tail', 'bdg tail --console'],
  },
  {
    name: 'details',
    path: ['details'],
    summary: 'Show everything recorded about one request (with its response body) or one console message',
    args: [
      { name: 'type', required: true, choices: ['network', 'console'], description: 'What kind of item' },
      { name: 'id', required: true, description: 'The id a listing printed (n12, c3) or a CDP requestId' },
    ],
    options: {
      from: {
        type: 'string',
        placeholder: 'JOURNAL',
        description: "Read a session's journal file instead of the running session (the one a killed daemon left: history/journal-<time>.ndjson)",
      },
    },
    readOnly: true,
    runs: 'daemon',
    timeoutMs: 15_000,
    examples: [
      'bdg details network n3',
      'bdg details console c1 --json',
      'bdg details network n3 --from ~/.bdg/history/journal-2026-12-02T01-00-00.000Z.ndjson',
    ],
  },
  {
    name: 'stop',
    path: ['stop'],
    summary: 'End the session: write session.json, close Chrome, remove the daemon',
    args: [],
    options: {
      'kill-chrome': { type: 'boolean', default: false, description: 'Also close a Chrome that bdg attached to (--chrome-ws-url)' },
      all: { type: 'boolean', default: false, description: 'Stop every session: the default one and every named one (whatever --session says)' },
    },
    readOnly: false,
    // Stopping must never queue behind a page that hangs: it ends the session whatever the tab is doing.
    lock: 'none',
    runs: 'daemon',
    timeoutMs: 30_000,
    idempotent: true,
    examples: ['bdg stop', 'bdg stop --json', 'bdg stop --session agent-1', 'bdg stop --all'],
  },
  {
    name: 'cleanup',
    path: ['cleanup'],
    summary: 'Remove stale session files (dead daemon pid, socket, lock) and orphaned Chrome processes',
    args: [],
    options: {
      force: { type: 'boolean', default: false, description: 'Also stop a live session and remove its files' },
      aggressive: { type: 'boolean', default: false, description: 'Also remove session.json and the Chrome profile bdg created' },
      all: {
        type: 'boolean',
        default: false,
        description: 'Every session (default and named), and end orphaned Chrome processes of sessions that no longer exist',
      },
    },
    readOnly: false,
    runs: 'cli',
    idempotent: true,
    examples: ['bdg cleanup', 'bdg cleanup --force', 'bdg cleanup --all'],
  },
  {
    name: 'sessions',
    path: ['sessions'],
    summary: 'List every session (the default one and the named ones): state, page, pids, age, idle time, memory; stale ones are cleaned up',
    args: [],
    options: { full: fullOption },
    listing: { rows: ['sessions'] },
    readOnly: true,
    runs: 'cli',
    examples: ['bdg sessions', 'bdg sessions --json'],
  },
] as const satisfies readonly CommandSpec[];

/** `--idle-timeout` when neither it nor BDG_IDLE_TIMEOUT is given. */
export const DEFAULT_IDLE_TIMEOUT_SEC = 3600;

/** The idle timeout as the daemon applies it. */
export interface IdleInfo {
  /** Seconds without a command after which the session stops itself; null when it never does (see `off`). */
  timeoutSec: number | null;
  /** Why there is no idle timeout: turned off (0), attached to someone's Chrome, or a headed Chrome. */
  off?: 'disabled' | 'attached' | 'headed';
  /** Seconds since the last command (0 while one runs); `status` itself does not count. */
  idleSec: number;
  /** Seconds left before the idle stop; null without an idle timeout. */
  stopsInSec: number | null;
}

/** A session's place in a shared browser (`--shared-browser`). */
export interface SharedBrowserInfo {
  name: string;
  /** The registry directory, `<base>/browsers/NAME`. */
  dir: string;
  /** The session's own browser context (cookies, storage, cache); its tabs live there. */
  browserContextId: string | null;
  /** This session's daemon launched the shared Chrome. */
  launched: boolean;
}

/** The process whose exit stops the session (`--owner-pid`). */
export interface OwnerInfo {
  pid: number;
  /** Its start time as the platform tells it; null where the platform cannot (then the pid alone is checked). */
  startTime: string | null;
}

/** A Selenium Grid session: the Grid (its URL without password or query values) and the WebDriver session id. */
export interface GridInfo {
  url: string;
  sessionId: string;
  browserVersion: string | null;
}

/** What status says about a remote browser's connection. */
export interface RemoteInfo {
  /** The `--cdp-header` names sent on connect; their values are secrets and never leave the daemon. */
  headerNames: string[];
  /** The endpoint connected to, without password or query values. */
  endpoint: string | null;
  /** Things worth knowing, e.g. that a stale WebSocket URL was re-resolved from /json/version. */
  notes: string[];
}

export interface StatusResult {
  running: true;
  /** The original bdg's names: `active` (= running), `pageState.url`, `chromePid`, `port`. */
  active: true;
  pageState: PageInfo;
  chromePid: number | null;
  port: number | null;
  starting: boolean;
  pid: number;
  version: string;
  protocol: number;
  sessionDir: string;
  startedAt: string;
  uptimeMs: number;
  page: PageInfo;
  pageCrashed: boolean;
  /** Files downloaded in this session, saved under `dir`. */
  downloads?: { total: number; completed: number; dir: string };
  chrome: {
    pid: number | null;
    port: number | null;
    attached: boolean;
    headless: boolean;
    connected: boolean;
    wsEndpoint?: string | null;
    version?: string | null;
    userDataDir?: string;
  };
  autoStopInSec: number | null;
  /** The session's name; null for the default session. */
  session: string | null;
  /** The Selenium Grid session the browser runs in (`--grid`); absent otherwise. */
  grid?: GridInfo;
  /** A remote browser (`--chrome-ws-url`, `--grid`): header names (never values) and how its endpoint was found. */
  remote?: RemoteInfo;
  /** `--shared-browser`: the Chrome this session shares with others, and its own browser context there. */
  sharedBrowser: SharedBrowserInfo | null;
  idle: IdleInfo;
  owner: OwnerInfo | null;
  /** `webSockets`: sockets among the records, those not closed yet, and their frames kept / dropped. */
  network: { count: number; pending: number; dropped: number; webSockets: { count: number; open: number; frames: number; framesDropped: number } };
  console: { count: number; dropped: number; errors: number };
  /** Chrome Issues of the current page load, and how many the buffer dropped in all. */
  issues: { count: number; dropped: number };
  navigations: number;
  /** `network throttle`: the emulated conditions, null when the network is not throttled. */
  throttle: ThrottleState | null;
  /** `network mock` / `network block`: active rules and the requests all rules answered. */
  interception: { rules: number; hits: number };
  /**
   * The crash-safe journal (docs/session-file.md#the-journal): its file, lines written, bytes, losses; WebSocket
   * frames written to its frames file and those not in it (the oldest rotated away, or never written).
   */
  journal: { file: string; records: number; bytes: number; dropped: number; writeErrors: number; frames: number; framesDropped: number };
  /** A trace `bdg page trace start` began and `page trace stop` has not written yet; null when none. */
  trace: { startedAt: string; categories: string[] } | null;
  /** The page emulation the session keeps (`--viewport` and the other start options, `page emulate`); `{}` for none. */
  emulation: EmulationState;
  /** --verbose only, from here on. */
  buffers?: {
    network: NetworkBufferStats;
    console: BufferStats;
    cdpEvents: BufferStats & { total: number };
    webSocketFrames: BufferStats;
    /** Response bodies held within their own budget; `evicted`: dropped so far to keep the newest. */
    bodies: { count: number; bytes: number; maxBytes: number; evicted: number };
  };
  memory?: NodeJS.MemoryUsage;
  ipc?: { connections: number; served: number; rejectedBusy: number } | undefined;
  socket?: string;
  navigationHistory?: NavigationRecord[];
}

export interface PeekResult extends BoundedFields {
  page: PageInfo;
  network?: NetworkListItem[] | undefined;
  console?: ConsoleRecord[] | undefined;
  /** Chrome Issues of the current page load (the newest --last), unless --network. */
  issues?: IssueRecord[] | undefined;
  /** The original bdg's counts: `issues` of the current page load. */
  totals: { issues: number };
  stats: { network: NetworkBufferStats & { pending: number }; console: BufferStats };
}

export type DetailsResult = { type: 'network'; item: NetworkRecord } | { type: 'console'; item: ConsoleRecord; expanded?: string[] };

export interface StopResult {
  stopped: true;
  reason: string;
  /** Where session.json was written; null when it could not be. */
  sessionFile: string | null;
  network: number;
  console: number;
  chromeClosed: boolean;
  /** The session was in a shared browser (`--shared-browser`); chromeClosed says whether it was the last one. */
  sharedBrowser?: boolean;
}

/** What `bdg <url>` prints once the daemon reported ready on its start-up pipe. */
export interface StartedResult {
  pid: number;
  chromePid: number | null;
  port: number | null;
  wsEndpoint: string | null;
  url: string;
  startedAt: string;
  headless: boolean;
  attached: boolean;
  bdgVersion: string;
  socket: string;
  userDataDir: string;
  /** `--shared-browser`: the shared browser's name and this session's browser context in it; null otherwise. */
  sharedBrowser: string | null;
  browserContextId: string | null;
  page: PageInfo;
  browser: string | null;
  grid?: GridInfo;
  /** How a remote endpoint was found when it was not as given (a stale URL re-resolved). */
  notes?: string[];
  /** The document's readyState when the start answered (the original bdg's field); null if the page did not say. */
  readyState: string | null;
  errorText?: string;
  loadTimedOut?: boolean;
}

/** What each command of this family answers (daemon commands only). */
export interface SessionResults {
  status: StatusResult;
  peek: PeekResult;
  tail: PeekResult;
  details: DetailsResult;
  stop: StopResult;
}
