import type { CommandSpec } from '../spec.js';

function storageEntry<N extends 'storage.local' | 'storage.session'>(name: N, which: string) {
  return {
    name,
    path: ['storage', name.slice(8) as N extends `storage.${infer W}` ? W : never],
    summary: `List, read or change the page's ${which} (DOMStorage; values cut unless --full)`,
    args: [
      {
        name: 'op',
        required: false,
        choices: ['get', 'set', 'remove', 'clear'],
        description: 'get KEY | set KEY VALUE | remove KEY | clear (default: list)',
      },
      { name: 'key', required: false, description: 'Item key' },
      { name: 'value', required: false, description: 'Value (set)' },
    ],
    options: {
      origin: {
        type: 'string',
        placeholder: 'ORIGIN',
        description: "An origin the page has (a frame's); default: the page's",
      },
      limit: { type: 'number', integer: true, min: 1, max: 10_000, default: 100, placeholder: 'N', description: 'List at most N items' },
      full: { type: 'boolean', default: false, description: `Every item and whole values (without it: --limit items, values cut at 200 characters)` },
    },
    listing: {},
    readOnly: false,
    runs: 'daemon',
    page: 'live',
    examples: [
      `bdg storage ${name.slice(8)}`,
      `bdg storage ${name.slice(8)} get token`,
      `bdg storage ${name.slice(8)} set theme dark`,
      `bdg storage ${name.slice(8)} clear`,
    ],
  } as const;
}

/** `storage local|session`: the page's Web Storage, through the DOMStorage domain (no page code runs). */
export const STORAGE_COMMANDS = [
  storageEntry('storage.local', 'localStorage'),
  storageEntry('storage.session', 'sessionStorage'),
] as const satisfies readonly CommandSpec[];

/** `state save|load` and `bdg <url> --state`: cookies plus local and session storage in one 0600 JSON file. */
export const STATE_COMMANDS = [
  {
    name: 'state.save',
    path: ['state', 'save'],
    summary: "Save the browser's cookies and the page's local and session storage to a file (mode 0600; prints counts, never values)",
    args: [{ name: 'file', required: true, description: 'Where to write (JSON; holds secrets, keep it private)' }],
    options: {
      origin: {
        type: 'string',
        placeholder: 'ORIGIN',
        repeatable: true,
        description: "Storage of this origin (repeatable; default: the page's origin and its frames')",
      },
    },
    readOnly: true,
    runs: 'daemon',
    page: 'live',
    examples: ['bdg state save ./auth.json', 'bdg state save ./auth.json --origin http://127.0.0.1:8081'],
  },
  {
    name: 'state.load',
    path: ['state', 'load'],
    summary: 'Load cookies and local/session storage from a `state save` file into this session (reload to apply to the page)',
    args: [{ name: 'file', required: true, description: 'A file `bdg state save` wrote' }],
    options: {},
    readOnly: false,
    runs: 'daemon',
    page: 'live',
    examples: ['bdg state load ./auth.json && bdg page reload'],
  },
] as const satisfies readonly CommandSpec[];

export interface StorageItem {
  key: string;
  value: string;
  /** The value's length before any cut. */
  length: number;
  truncated?: boolean;
}

export interface StorageResult {
  storage: 'local' | 'session';
  origin: string;
  action: 'list' | 'get' | 'set' | 'remove' | 'clear';
  /** list: the items (bounded); get: the one item, or none when the key is absent. */
  items?: StorageItem[];
  count?: number;
  omitted?: number;
  key?: string;
  found?: boolean;
  /** clear: how many items were removed. */
  removed?: number;
}

export interface StateCounts {
  cookies: number;
  origins: number;
  localStorage: number;
  sessionStorage: number;
}

export interface StateResult extends StateCounts {
  file: string;
  bytes?: number;
}

export interface StorageResults {
  'storage.local': StorageResult;
  'storage.session': StorageResult;
  'state.save': StateResult;
  'state.load': StateResult;
}
