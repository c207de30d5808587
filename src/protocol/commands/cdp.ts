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
  min: 1,
  max: 300,
  default: 30,
  placeholder: 'S',
  description: 'How long to wait for Chrome to answer, in seconds',
} as const satisfies OptionSpec;
const validate = {
  type: 'boolean',
  negatable: true,
  default: true,
  description: 'Check the method and params against the bundled protocol schema (--no-validate sends methods this schema does not know)',
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

/** Raw CDP: send any method, discover methods and events from the protocol schema, and read the events the session saw. */
export const CDP_COMMANDS = [
  {
    name: 'cdp',
    path: ['cdp'],
    summary:
      'Send any CDP method (bdg cdp Runtime.evaluate --params JSON), or discover methods and events (--list, --describe, --search) and read the events the session saw (--events)',
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
      events: {
        type: 'string',
        placeholder: 'EVENT',
        description: 'Show the CDP events of this kind the session has seen (Domain.event, or a Domain for all its events)',
      },
      follow: { type: 'boolean', default: false, description: 'With --events: keep printing new events until interrupted' },
      last,
      target,
      timeout,
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
      'bdg cdp --events Network.requestWillBeSent --last 5',
      'bdg cdp --events Runtime.consoleAPICalled --follow',
    ],
  },
  {
    name: 'cdp.send',
    path: ['cdp', 'send'],
    summary: 'Send one CDP method over the session (the request behind bdg cdp <Domain.method>)',
    args: [{ name: 'method', required: true, description: 'Domain.method (case-insensitive)' }],
    options: { params, target, timeout, validate },
    readOnly: false,
    runs: 'daemon',
    page: 'by-target',
    timeoutMs: 310_000,
    via: 'cdp',
    examples: [`bdg cdp send DOM.getDocument --params '{"depth":1}'`],
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

/** `bdg cdp <method>`: the method as sent and Chrome's answer under `result`, as the original bdg has them. */
export interface CdpSendResult {
  method: string;
  result: unknown;
  /** A bdg command that does the same with less ceremony (a plain Runtime.evaluate is `bdg dom eval`). */
  hint?: string;
}

export interface CdpResults {
  'cdp.send': CdpSendResult;
  'cdp.events': CdpEventsResult;
}
