import type { CdpEventRecord } from '../results.js';
import type { CommandSpec, OptionSpec } from '../spec.js';

const params = {
  type: 'string',
  placeholder: 'JSON',
  description: 'Method parameters as one JSON object (checked against the protocol schema before sending)',
} as const satisfies OptionSpec;
const target = {
  type: 'string',
  choices: ['auto', 'page', 'browser'],
  default: 'auto',
  placeholder: 'WHERE',
  description: 'Send to the page session or the browser connection (auto: Browser., Target., SystemInfo., Tethering. go to the browser, the rest to the page)',
} as const satisfies OptionSpec;
const timeout = {
  type: 'number',
  min: 0.1,
  max: 300,
  placeholder: 'S',
  description:
    'Seconds to wait for Chrome to answer (default 30); with --collect or --until, how long to collect (default 10, at most 120; the answer may take 30 s anyway)',
} as const satisfies OptionSpec;
const sendAnyway = {
  type: 'boolean',
  default: false,
  description: 'Send a method the bundled schema does not know even when it looks like a typo of one it knows (others go out as typed, with a warning)',
} as const satisfies OptionSpec;
const collect = {
  type: 'string',
  placeholder: 'EVENTS',
  description: 'With a method: subscribe to these events (comma-separated: Domain.event or a whole Domain) before sending it, and return them',
} as const satisfies OptionSpec;
const until = {
  type: 'string',
  placeholder: 'EVENT',
  description: 'With a method: stop collecting when this event arrives (it is collected too); complete: false if it does not within --timeout',
} as const satisfies OptionSpec;
const out = {
  type: 'string',
  placeholder: 'FILE',
  description: 'Write the collected or read events to FILE as NDJSON (mode 0600, replaced only once complete) instead of returning them',
} as const satisfies OptionSpec;
const wait = {
  type: 'number',
  min: 0,
  max: 120,
  placeholder: 'S',
  description: 'With --events: wait up to S seconds for a matching event when none is buffered',
} as const satisfies OptionSpec;
const clear = {
  type: 'boolean',
  default: false,
  description: 'With --events: discard the matching buffered events instead of returning them',
} as const satisfies OptionSpec;
const validate = {
  type: 'boolean',
  negatable: true,
  default: true,
  description: 'Check the method and params against the bundled protocol schema (--no-validate sends any name and params unchecked)',
} as const satisfies OptionSpec;
const last = {
  type: 'number',
  integer: true,
  min: 0,
  max: 2_000,
  default: 20,
  placeholder: 'N',
  description: 'Show the N newest matching events',
} as const satisfies OptionSpec;
/** On `bdg cdp` itself: given, it asks for the session's event log rather than the --listen buffer. */
const lastNoDefault = {
  type: 'number',
  integer: true,
  min: 0,
  max: 2_000,
  placeholder: 'N',
  description: "With --events: the N newest matching events of the session's event log (default 20; 0: none, for --follow)",
} as const satisfies OptionSpec;

/** Raw CDP: send any method, discover methods and events from the protocol schema, and read the events the session saw. */
export const CDP_COMMANDS = [
  {
    name: 'cdp',
    path: ['cdp'],
    summary:
      'Send any CDP method (bdg cdp Runtime.evaluate --params JSON), collect the events it causes (--collect, --until), buffer events between commands (--listen, --events, --unlisten), or discover methods and events (--list, --describe, --search)',
    args: [
      {
        name: 'method',
        required: false,
        description: 'Domain.method to send (case-insensitive); a Domain with --list; a method, event or type with --describe',
      },
    ],
    options: {
      params,
      list: { type: 'boolean', default: false, description: 'List the protocol domains, or the methods and events of the given domain (no session needed)' },
      describe: {
        type: 'boolean',
        default: false,
        description: 'Describe a method, event or type: parameters, types, returns and an example command (no session needed)',
      },
      search: {
        type: 'string',
        placeholder: 'WORDS',
        description: 'Find methods and events whose name or description matches, best first (no session needed)',
      },
      limit: { type: 'number', integer: true, min: 1, max: 1_000, default: 20, placeholder: 'N', description: 'Show at most N search results' },
      'send-anyway': sendAnyway,
      collect,
      until,
      timeout,
      out,
      listen: {
        type: 'string',
        placeholder: 'EVENTS',
        description:
          'Buffer these events (comma-separated) in the session between commands, until --unlisten or the session ends; with a method, listen before sending it',
      },
      events: {
        type: 'string',
        valueOptional: '',
        placeholder: 'EVENTS',
        description:
          "Read and remove the --listen buffer's events (all, or these); when nothing is listened to, or with --last/--follow, show the session's event log of this kind",
      },
      wait,
      clear,
      unlisten: { type: 'boolean', default: false, description: 'Stop every --listen and discard its buffered events' },
      follow: { type: 'boolean', default: false, description: "With --events: keep printing new events of the session's log until interrupted" },
      last: lastNoDefault,
      target,
      validate,
    },
    readOnly: false,
    runs: 'cli',
    examples: [
      `bdg cdp Runtime.evaluate --params '{"expression":"1+1","returnByValue":true}'`,
      'bdg cdp browser.getVersion',
      'bdg cdp --list',
      'bdg cdp Network --list',
      'bdg cdp Page.captureScreenshot --describe',
      'bdg cdp --search cookie',
      'bdg cdp Page.reload --collect Network.requestWillBeSent --until Page.loadEventFired --timeout 15',
      'bdg cdp Tracing.end --collect Tracing.dataCollected --until Tracing.tracingComplete --out trace.ndjson',
      `bdg cdp Fetch.enable --params '{"patterns":[{"urlPattern":"*api*"}]}' --listen Fetch.requestPaused`,
      'bdg cdp --events Fetch.requestPaused --wait 5 --json',
      'bdg cdp --unlisten',
      'bdg cdp --events Network.requestWillBeSent --last 5',
      'bdg cdp --events Runtime.consoleAPICalled --follow',
    ],
  },
  {
    name: 'cdp.send',
    path: ['cdp', 'send'],
    summary: 'Send one CDP method over the session (the request behind bdg cdp <Domain.method>)',
    args: [{ name: 'method', required: true, description: 'Domain.method (case-insensitive)' }],
    options: { params, target, timeout, validate, 'send-anyway': sendAnyway, collect, until, out },
    readOnly: false,
    runs: 'daemon',
    page: 'by-target',
    timeoutMs: 310_000,
    via: 'cdp',
    examples: [`bdg cdp send DOM.getDocument --params '{"depth":1}'`, 'bdg cdp send Page.reload --until Page.loadEventFired'],
  },
  {
    name: 'cdp.listen',
    path: ['cdp', 'listen'],
    summary: 'Start buffering CDP events of the session page between commands (the request behind bdg cdp --listen)',
    args: [{ name: 'events', required: true, description: 'Domain.event names (comma-separated; a Domain for all of its events)' }],
    options: {},
    readOnly: false,
    lock: 'none',
    runs: 'daemon',
    via: 'cdp',
    examples: ['bdg cdp listen Fetch.requestPaused'],
  },
  {
    name: 'cdp.read',
    path: ['cdp', 'read'],
    summary: 'Read and remove the buffered events of bdg cdp --listen (the request behind bdg cdp --events)',
    args: [{ name: 'events', required: false, description: 'Only these events (comma-separated); all buffered ones without' }],
    options: { wait, clear, out },
    readOnly: false,
    lock: 'none',
    runs: 'daemon',
    timeoutMs: 130_000,
    via: 'cdp',
    examples: ['bdg cdp read Fetch.requestPaused --wait 5'],
  },
  {
    name: 'cdp.unlisten',
    path: ['cdp', 'unlisten'],
    summary: 'Stop every bdg cdp --listen and discard the buffered events (the request behind bdg cdp --unlisten)',
    args: [],
    options: {},
    readOnly: false,
    lock: 'none',
    idempotent: true,
    runs: 'daemon',
    via: 'cdp',
    examples: ['bdg cdp unlisten'],
  },
  {
    name: 'cdp.events',
    path: ['cdp', 'events'],
    summary: 'Show the CDP events of one kind the session has seen (the request behind bdg cdp --events)',
    args: [{ name: 'event', required: true, description: 'Domain.event (case-insensitive), or a Domain for all of its events' }],
    options: {
      last,
      after: {
        type: 'number',
        integer: true,
        min: 0,
        max: Number.MAX_SAFE_INTEGER,
        default: 0,
        placeholder: 'SEQ',
        description: 'Only events with a sequence number above SEQ (for polling)',
      },
      follow: { type: 'boolean', default: false, description: 'Keep printing new events until interrupted' },
    },
    readOnly: true,
    runs: 'daemon',
    via: 'cdp',
    examples: ['bdg cdp events Page.loadEventFired', 'bdg cdp events Network --last 50 --json'],
  },
] as const satisfies readonly CommandSpec[];

export interface CdpEventsResult {
  filter: string;
  events: CdpEventRecord[];
  lastSeq: number;
  matched: number;
  buffer: { count: number; dropped: number; total: number; bytes: number; maxItems: number; maxBytes: number };
}

/** One event of `--collect`, `--events` and one NDJSON line of `--out`, as the original bdg writes them. */
export interface CdpCapturedEvent {
  method: string;
  /** As Chrome sent them; for an event cut to fit an answer, the start of their JSON text. */
  params: unknown;
  /** Epoch milliseconds when the daemon received it. */
  ts: number;
  /** Length of the params' JSON when `params` was cut (an answer's first event over its budget, or one over 1 MB). */
  truncatedFrom?: number;
}

/** Where the events of a collection or a read went: in the answer, or to a file. */
export interface CdpEventsDelivery {
  /** The events (absent with --out), oldest first. */
  events?: CdpCapturedEvent[];
  /** Events delivered, in `events` or written to `file`. */
  count: number;
  /** Absolute path of the NDJSON file written (with --out). */
  file?: string;
  /** Bytes written to `file`. */
  bytes?: number;
}

/** What `--collect`/`--until` gathered while the method ran. */
export interface CdpCollected extends CdpEventsDelivery {
  /** False when --until did not arrive within --timeout, the client left, or a file fell behind (events are partial). */
  complete: boolean;
  /** Matching events left out of `events` to keep the answer near 20,000 characters (write them with --out). */
  omitted?: number;
  /** Events not written to `file`: the disk fell 64 MB behind, or the file reached its cap (1 GiB). */
  dropped?: number;
}

/** The --listen buffer as it stands after a request. */
export interface CdpListenState {
  /** Events (or whole domains) listened to, in the order they were added. */
  listening: string[];
  /** Events in the buffer. */
  buffered: number;
  /** Events dropped at the buffer's caps (oldest first) since listening started. */
  dropped: number;
}

/** `bdg cdp --events`: the events taken from the buffer (or written, or cleared). */
export interface CdpReadResult extends CdpListenState, Partial<CdpEventsDelivery> {
  /** Matching events still buffered, left for the next read by the answer's budget. */
  remaining?: number;
  /** Events discarded by --clear. */
  cleared?: number;
  /** With --wait: no matching event arrived in time. */
  waitedOut?: boolean;
  /** Events asked for that are not listened to (they cannot be in the buffer). */
  notListened?: string[];
}

/** `bdg cdp --unlisten`. */
export interface CdpUnlistenResult extends CdpListenState {
  /** Events no longer listened to. */
  stopped: string[];
  /** Buffered events discarded. */
  discarded: number;
}

/** `bdg cdp <method>`: the method as sent and Chrome's answer under `result`, as the original bdg has them. */
export interface CdpSendResult extends Partial<CdpCollected> {
  method: string;
  result: unknown;
  /** A bdg command that does the same with less ceremony (a plain Runtime.evaluate is `bdg dom eval`). */
  hint?: string;
  /** The method is not in the bundled schema and went out as typed. */
  warning?: string;
}

export interface CdpResults {
  'cdp.send': CdpSendResult;
  'cdp.events': CdpEventsResult;
  'cdp.listen': CdpListenState;
  'cdp.read': CdpReadResult;
  'cdp.unlisten': CdpUnlistenResult;
}
