import type { NetworkBufferStats, NetworkCookie, NetworkListItem, WebSocketFrame, WebSocketState, WebSocketSummary } from '../records.js';
import type { CommandSpec } from '../spec.js';

/** Network telemetry: listings with DevTools filters, HAR export, headers and cookies. */
export const NETWORK_COMMANDS = [
  {
    name: 'network.list',
    path: ['network', 'list'],
    summary: 'List recorded requests (pending ones included), optionally filtered with DevTools filter terms',
    args: [],
    options: {
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
    },
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
    ],
  },
  {
    name: 'network.ws',
    path: ['network', 'ws'],
    summary: 'Show the frames of one WebSocket: direction, time, opcode, size, text payload (binary ones as size only)',
    args: [{ name: 'id', required: true, description: 'The id of a WebSocket row in network list (n12) or its CDP requestId' }],
    options: {
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
    },
    readOnly: true,
    runs: 'daemon',
    examples: ['bdg network ws n7', 'bdg network ws n7 --last 10 --json', 'bdg network ws n7 --follow'],
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
      url: { type: 'string', placeholder: 'URL', description: 'Cookies that would be sent to this URL (default: the current page and its frames)' },
      all: { type: 'boolean', default: false, description: 'Every cookie in the browser profile' },
    },
    readOnly: true,
    runs: 'daemon',
    examples: ['bdg network cookies', 'bdg network cookies --url https://api.example.com/', 'bdg network cookies --all --json'],
  },
] as const satisfies readonly CommandSpec[];

export interface NetworkListResult {
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

export interface WebSocketFramesResult {
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

export interface CookiesResult {
  scope: 'all' | 'url' | 'page';
  url: string | null;
  cookies: NetworkCookie[];
}

export interface NetworkResults {
  'network.list': NetworkListResult;
  'network.har': HarResult;
  'network.headers': HeadersResult;
  'network.cookies': CookiesResult;
  'network.ws': WebSocketFramesResult;
}
