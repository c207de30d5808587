import type { BoundedFields } from '../../util/bounded.js';
import { fullOption } from '../spec.js';
import type { NetworkBufferStats, NetworkCookie, NetworkListItem, NetworkRecord, WebSocketFrame, WebSocketState, WebSocketSummary } from '../records.js';
import type { CommandSpec } from '../spec.js';

/** Largest body a `network mock` rule answers with (--body or --file), checked by the CLI and the daemon. */
export const MAX_MOCK_BODY_BYTES = 512 * 1024;

/** Network telemetry: listings with DevTools filters, HAR export, headers and cookies. */
export const NETWORK_COMMANDS = [
  {
    name: 'network.list',
    path: ['network', 'list'],
    summary: 'List recorded requests (pending ones included), optionally filtered with DevTools filter terms',
    args: [],
    options: {
      full: fullOption,
      filter: {
        type: 'string',
        placeholder: 'TERMS',
        description:
          'DevTools filter: status-code:404 domain:*.example.com method:POST mime-type:image/* resource-type:fetch larger-than:10k has-response-header:NAME is:failed|running|from-cache scheme:https, words match the URL, -term negates; all terms must match',
      },
      last: {
        type: 'number',
        integer: true,
        min: 0,
        max: 1_000_000,
        default: 100,
        placeholder: 'N',
        description: 'Only the N newest matching requests (output stays small by default; raise it to see more; 0: all)',
      },
      page: {
        type: 'string',
        choices: ['current', 'all'],
        placeholder: 'PAGE',
        description: 'current: only requests of the current page load (since the last navigation); all (the default): every page',
      },
      current: { type: 'boolean', default: false, description: 'Same as --page current' },
      sort: {
        type: 'string',
        choices: ['start', 'duration', 'size', '-start', '-duration', '-size'],
        default: 'start',
        placeholder: 'KEY',
        description:
          'Order by start time, duration or transferred size; with --last N the N latest, slowest or largest are listed; a leading - lists them in descending order',
      },
      since: { type: 'string', placeholder: 'ID', description: 'Only requests newer than this id (e.g. n120), for polling' },
      follow: { type: 'boolean', default: false, description: 'Keep printing requests as they finish until interrupted' },
      from: {
        type: 'string',
        placeholder: 'JOURNAL',
        description: "Read a session's journal file instead of the running session (the one a killed daemon left: history/journal-<time>.ndjson)",
      },
    },
    listing: { rows: ['requests'], keep: 'newest' },
    readOnly: true,
    runs: 'daemon',
    examples: [
      'bdg network list',
      'bdg network list --filter "is:failed"',
      'bdg network list --filter "domain:*.example.com -resource-type:image" --last 20',
      'bdg network list --sort -size --last 10',
      'bdg network list --page current --sort -duration',
      'bdg network list --filter "status-code:5xx" --follow',
    ],
  },
  {
    name: 'network.har',
    path: ['network', 'har'],
    summary:
      'Write the recorded requests (and WebSocket frames) as a HAR 1.2 file with response bodies, importable in Chrome DevTools; cookies, auth headers and tokens are redacted unless --include-sensitive',
    args: [{ name: 'file', required: false, description: 'Where to write (default: bdg-<timestamp>.har in the current directory)' }],
    options: {
      filter: { type: 'string', placeholder: 'TERMS', description: 'Only requests matching these filter terms (as in network list)' },
      current: { type: 'boolean', default: false, description: 'Only the current page load (since the last navigation)' },
      bodies: { type: 'boolean', default: true, negatable: true, description: 'Include response bodies (--no-bodies for a smaller file)' },
      'include-sensitive': {
        type: 'boolean',
        default: false,
        description:
          'Keep cookies, Authorization/Cookie/Set-Cookie and other secret headers, and tokens in URLs and bodies (replaced by [REDACTED] by default)',
      },
      from: {
        type: 'string',
        placeholder: 'JOURNAL',
        description: "Read a session's journal file instead of the running session (the one a killed daemon left: history/journal-<time>.ndjson)",
      },
    },
    readOnly: true,
    runs: 'daemon',
    timeoutMs: 60_000,
    examples: [
      'bdg network har',
      'bdg network har session.har',
      'bdg network har api.har --filter "resource-type:fetch"',
      'bdg network har page.har --current',
      'bdg network har full.har --include-sensitive',
      'bdg network har crash.har --from ~/.bdg/history/journal-2026-12-02T01-00-00.000Z.ndjson',
    ],
  },
  {
    name: 'network.ws',
    path: ['network', 'ws'],
    summary: 'Show the frames of one WebSocket: direction, time, opcode, size, text payload (binary ones as size only)',
    args: [{ name: 'id', required: true, description: 'The id of a WebSocket row in network list (n12) or its CDP requestId' }],
    options: {
      full: fullOption,
      last: { type: 'number', integer: true, min: 0, max: 100_000, default: 50, placeholder: 'N', description: 'Only the N newest frames (0: all)' },
      since: {
        type: 'number',
        integer: true,
        min: 0,
        max: Number.MAX_SAFE_INTEGER,
        placeholder: 'SEQ',
        description: 'Only frames after this frame number (the # a listing printed), for polling',
      },
      follow: { type: 'boolean', default: false, description: 'Keep printing frames as they come until the socket closes or you interrupt' },
      from: {
        type: 'string',
        placeholder: 'JOURNAL',
        description: "Read a session's journal file instead of the running session (the one a killed daemon left: history/journal-<time>.ndjson)",
      },
    },
    listing: { rows: ['frames'], keep: 'newest' },
    readOnly: true,
    runs: 'daemon',
    examples: [
      'bdg network ws n7',
      'bdg network ws n7 --last 10 --json',
      'bdg network ws n7 --follow',
      'bdg network ws n7 --from ~/.bdg/history/journal-2026-12-02T01-00-00.000Z.ndjson',
    ],
  },
  {
    name: 'network.mock',
    path: ['network', 'mock'],
    summary: 'Answer matching requests with a fixed response (status, body, headers) instead of the network, until unmocked; rules survive navigations',
    args: [
      {
        name: 'pattern',
        required: true,
        description: 'URL pattern: * is any run of characters (whole URL); without a *, any URL containing it (block: also resource-type:T[,T])',
      },
    ],
    options: {
      status: { type: 'number', integer: true, min: 100, max: 599, default: 200, placeholder: 'N', description: 'HTTP status' },
      body: { type: 'string', placeholder: 'TEXT', description: 'Response body (Content-Type guessed: JSON or text)' },
      file: {
        type: 'string',
        placeholder: 'PATH',
        description: 'Body from this file (at most 512 KB; the CLI reads it)',
      },
      base64: { type: 'boolean', default: false, description: '--body is base64' },
      header: {
        type: 'string',
        repeatable: true,
        placeholder: 'K:V',
        description: 'Response header NAME:VALUE; repeat the flag for more',
      },
      method: { type: 'string', placeholder: 'M', description: 'Only requests with this method' },
      times: {
        type: 'number',
        integer: true,
        min: 1,
        max: 1_000_000,
        placeholder: 'N',
        description: 'Only the first N matching requests',
      },
    },
    readOnly: false,
    // Rules live in the daemon and Chrome's network stack, not in the page: never queued behind a busy tab.
    lock: 'none',
    runs: 'daemon',
    idempotent: false,
    examples: [
      'bdg network mock "*/api/users*" --body \'[{"id":1}]\'',
      'bdg network mock /api/login --status 500 --method POST',
      'bdg network mock "*/config.json" --file ./config.json --times 1',
      'bdg network mock /api/feature --body ok --header "Cache-Control: no-store" --header "X-Mock: 1"',
    ],
  },
  {
    name: 'network.block',
    path: ['network', 'block'],
    summary: 'Make matching requests fail (as blocked by the client) until unmocked; rules survive navigations',
    args: [
      {
        name: 'pattern',
        required: true,
        description: 'URL pattern: * is any run of characters (whole URL); without a *, any URL containing it (block: also resource-type:T[,T])',
      },
    ],
    options: {
      method: { type: 'string', placeholder: 'M', description: 'Only requests with this method' },
      times: { type: 'number', integer: true, min: 1, max: 1_000_000, placeholder: 'N', description: 'Only the first N matching requests' },
    },
    readOnly: false,
    lock: 'none',
    runs: 'daemon',
    idempotent: false,
    examples: ['bdg network block "*/analytics.js"', 'bdg network block resource-type:image,font', 'bdg network block /api/ --method POST --times 1'],
  },
  {
    name: 'network.mocks',
    path: ['network', 'mocks'],
    summary: 'List the mock and block rules with their ids and how many requests each answered',
    args: [],
    options: { full: fullOption },
    listing: { rows: ['rules'] },
    readOnly: true,
    runs: 'daemon',
    examples: ['bdg network mocks', 'bdg network mocks --json'],
  },
  {
    name: 'network.unmock',
    path: ['network', 'unmock'],
    summary: 'Remove a mock or block rule (or all of them): matching requests go to the network again',
    args: [{ name: 'id', required: false, description: 'Rule id (r1)' }],
    options: { all: { type: 'boolean', default: false, description: 'Remove every rule' } },
    readOnly: false,
    lock: 'none',
    runs: 'daemon',
    idempotent: true,
    examples: ['bdg network unmock r1', 'bdg network unmock --all'],
  },
  {
    name: 'network.throttle',
    path: ['network', 'throttle'],
    summary: "Emulate a slow or no network (DevTools' presets) or set speeds and latency yourself; off ends it. Without arguments: shows the current setting",
    args: [
      {
        name: 'preset',
        required: false,
        choices: ['offline', 'slow-3g', 'fast-3g', 'slow-4g', 'fast-4g', 'off'],
        description: 'A Chrome DevTools preset (numbers below), or off',
      },
    ],
    options: {
      download: { type: 'number', min: 0, max: 10_000_000, placeholder: 'KBPS', description: 'Download kbit/s' },
      upload: { type: 'number', min: 0, max: 10_000_000, placeholder: 'KBPS', description: 'Upload kbit/s' },
      latency: { type: 'number', min: 0, max: 60_000, placeholder: 'MS', description: 'Added latency, ms' },
    },
    readOnly: false,
    lock: 'none',
    runs: 'daemon',
    idempotent: true,
    examples: ['bdg network throttle slow-3g', 'bdg network throttle --download 1000 --upload 500 --latency 200', 'bdg network throttle off'],
    more: [
      "Presets (Chrome DevTools'): slow-3g 400/400 kbit/s down/up, 2000 ms; fast-3g = slow-4g (DevTools renamed Fast 3G in 2024)",
      '1440/675 kbit/s, 562.5 ms; fast-4g 8100/1350 kbit/s, 165 ms; offline. --download/--upload/--latency set speeds by hand',
      'or replace one value of a preset (0 kbit/s: no limit).',
    ],
  },
  {
    name: 'network.wait',
    path: ['network', 'wait'],
    summary: 'Wait until a request matching a filter finishes (or fails) and show it like details network; exits 102 on timeout',
    args: [{ name: 'filter', required: true, description: 'Filter terms as in network list: status-code:4xx method:POST, words in the URL, ...' }],
    options: {
      timeout: { type: 'number', min: 0, max: 600, default: 30, placeholder: 'S', description: 'Give up after S seconds (exit 102)' },
      since: {
        type: 'string',
        placeholder: 'ID',
        description: 'Also requests after this id (n12) that finished before the wait',
      },
    },
    readOnly: true,
    runs: 'daemon',
    timeoutMs: 610_000,
    examples: [
      'bdg network wait "/api/orders method:POST"',
      'bdg network wait "status-code:4xx,5xx" --timeout 10',
      'bdg network wait "/api/search" --since n40 --json',
    ],
  },
  {
    name: 'network.headers',
    path: ['network', 'headers'],
    summary: 'Show the request and response headers (and cookies) of one request',
    args: [{ name: 'id', required: true, description: 'The id a listing printed (n12) or a CDP requestId' }],
    options: {},
    readOnly: true,
    runs: 'daemon',
    examples: ['bdg network headers n3', 'bdg network headers n3 --json'],
  },
  {
    name: 'network.cookies',
    path: ['network', 'cookies'],
    summary: "Show the browser's cookies for the current page (or a URL, or all)",
    args: [],
    options: {
      full: fullOption,
      url: { type: 'string', placeholder: 'URL', description: 'Cookies that would be sent to this URL (default: the current page and its frames)' },
      all: { type: 'boolean', default: false, description: 'Every cookie in the browser profile' },
    },
    listing: { rows: ['cookies'] },
    readOnly: true,
    runs: 'daemon',
    examples: ['bdg network cookies', 'bdg network cookies --url https://api.example.com/', 'bdg network cookies --all --json'],
  },
  {
    name: 'network.cookies.set',
    path: ['network', 'cookies', 'set'],
    summary: "Set a cookie (for the page's URL unless --url or --domain; path / by default)",
    args: [
      { name: 'name', required: true, description: 'Cookie name' },
      { name: 'value', required: true, description: 'Cookie value' },
    ],
    options: {
      url: { type: 'string', placeholder: 'URL', description: "The URL the cookie is for (default: the current page's)" },
      domain: { type: 'string', placeholder: 'DOMAIN', description: 'Cookie domain' },
      path: { type: 'string', placeholder: 'PATH', description: 'Cookie path' },
      secure: { type: 'boolean', default: false, description: 'Only sent over HTTPS' },
      'http-only': { type: 'boolean', default: false, description: 'Hidden from document.cookie' },
      'same-site': { type: 'string', choices: ['Strict', 'Lax', 'None'], placeholder: 'MODE', description: 'SameSite attribute' },
      expires: { type: 'number', min: 0, max: 1e11, placeholder: 'EPOCH_S', description: 'Expiry, Unix seconds (default: session cookie)' },
    },
    readOnly: false,
    runs: 'daemon',
    idempotent: true,
    examples: ['bdg network cookies set session abc123', 'bdg network cookies set theme dark --domain .example.com --same-site Lax'],
  },
  {
    name: 'network.cookies.delete',
    path: ['network', 'cookies', 'delete'],
    summary: "Delete cookies by name (for the page's URL unless --url or --domain)",
    args: [{ name: 'name', required: true, description: 'Cookie name' }],
    options: {
      url: { type: 'string', placeholder: 'URL', description: "The URL the cookie is for (default: the current page's)" },
      domain: { type: 'string', placeholder: 'DOMAIN', description: 'Cookie domain' },
      path: { type: 'string', placeholder: 'PATH', description: 'Cookie path' },
    },
    readOnly: false,
    runs: 'daemon',
    idempotent: true,
    examples: ['bdg network cookies delete session', 'bdg network cookies delete theme --domain .example.com'],
  },
] as const satisfies readonly CommandSpec[];

export interface NetworkListResult extends BoundedFields {
  requests: NetworkListItem[];
  matched: number;
  /** The order the requests are in, and which page load they are from. */
  sort: string;
  page: 'current' | 'all';
  filter: { key: string; value: string; negated: boolean }[];
  navigation: { index: number; url: string } | null;
  latestId: string | null;
  stats: NetworkBufferStats & { pending: number };
}

export interface HarResult {
  file: string;
  entries: number;
  pages: number;
  bytes: number;
  withBodies: number;
  pending: number;
  dropped: number;
  /** Whether secrets were replaced by [REDACTED] (not with --include-sensitive), and how many values were. */
  sanitized: boolean;
  redacted: number;
}

/** A frame as `network ws` shows it: binary payloads as their size only. */
export type WebSocketFrameView = Omit<WebSocketFrame, 'data'> & { data?: string };

export interface WebSocketFramesResult extends BoundedFields {
  id: string;
  requestId: string;
  url: string;
  state: WebSocketState;
  status: number | null;
  summary: WebSocketSummary;
  frames: WebSocketFrameView[];
  /** Kept frames matching (after --since), of which `frames` are the newest --last. */
  matched: number;
  /** The newest frame number of the session, for the next --since. */
  lastSeq: number;
}

export interface HeadersResult {
  id: string;
  requestId: string;
  method: string;
  url: string;
  state: string;
  status: number | null;
  statusText: string | null;
  requestHeaders: Record<string, string>;
  responseHeaders: Record<string, string> | null;
  requestCookies: NetworkCookie[];
  responseCookies: NetworkCookie[];
}

export interface CookiesResult extends BoundedFields {
  scope: 'all' | 'url' | 'page';
  url: string | null;
  cookies: NetworkCookie[];
}

/** One `network mock` / `network block` rule as `network mocks` lists it. */
export interface InterceptRuleView {
  id: string;
  action: 'mock' | 'block';
  /** The URL pattern or resource-type: target as given. */
  pattern: string;
  method: string | null;
  /** The `--times` limit, null for none. */
  times: number | null;
  /** Requests it answered (mocked or blocked). */
  hits: number;
  /** False once its --times are used up: kept in the list, no longer intercepting. */
  active: boolean;
  createdAt: string;
  lastHitAt: string | null;
  /** Mocks: the response. */
  status?: number;
  headers?: { name: string; value: string }[];
  bodyBytes?: number;
}

export interface MocksResult extends BoundedFields {
  rules: InterceptRuleView[];
  /** Whether Chrome pauses requests at all (only while a rule is active), and with how many patterns. */
  intercepting: boolean;
  patterns: number;
}

export interface UnmockResult {
  removed: string[];
  rules: InterceptRuleView[];
  intercepting: boolean;
}

/** Emulated network conditions; speeds in kbit/s (null: not limited). */
export interface ThrottleState {
  /** The preset it came from, or null for speeds given by hand. */
  preset: string | null;
  offline: boolean;
  downloadKbps: number | null;
  uploadKbps: number | null;
  latencyMs: number;
}

export interface ThrottleResult {
  /** null: the network is not throttled. */
  throttle: ThrottleState | null;
  changed: boolean;
}

export interface NetworkWaitResult {
  item: NetworkRecord;
  waitedMs: number;
}

export interface NetworkResults {
  'network.list': NetworkListResult;
  'network.har': HarResult;
  'network.headers': HeadersResult;
  'network.cookies': CookiesResult;
  'network.cookies.set': { name: string; url: string | null; domain: string | null; set: boolean };
  'network.cookies.delete': { name: string; url: string | null; domain: string | null; deleted: number };
  'network.ws': WebSocketFramesResult;
  'network.mock': InterceptRuleView;
  'network.block': InterceptRuleView;
  'network.mocks': MocksResult;
  'network.unmock': UnmockResult;
  'network.throttle': ThrottleResult;
  'network.wait': NetworkWaitResult;
}
