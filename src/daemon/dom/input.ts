import { BdgError } from '../../util/errors.js';
import type { BrowserSession } from '../session.js';

interface KeyDef {
  key: string;
  code: string;
  keyCode: number;
  text?: string;
  location?: number;
}

const NAMED: Record<string, KeyDef> = {
  Enter: { key: 'Enter', code: 'Enter', keyCode: 13, text: '\r' },
  Tab: { key: 'Tab', code: 'Tab', keyCode: 9 },
  Escape: { key: 'Escape', code: 'Escape', keyCode: 27 },
  Backspace: { key: 'Backspace', code: 'Backspace', keyCode: 8 },
  Delete: { key: 'Delete', code: 'Delete', keyCode: 46 },
  Space: { key: ' ', code: 'Space', keyCode: 32, text: ' ' },
  ArrowUp: { key: 'ArrowUp', code: 'ArrowUp', keyCode: 38 },
  ArrowDown: { key: 'ArrowDown', code: 'ArrowDown', keyCode: 40 },
  ArrowLeft: { key: 'ArrowLeft', code: 'ArrowLeft', keyCode: 37 },
  ArrowRight: { key: 'ArrowRight', code: 'ArrowRight', keyCode: 39 },
  Home: { key: 'Home', code: 'Home', keyCode: 36 },
  End: { key: 'End', code: 'End', keyCode: 35 },
  PageUp: { key: 'PageUp', code: 'PageUp', keyCode: 33 },
  PageDown: { key: 'PageDown', code: 'PageDown', keyCode: 34 },
  Insert: { key: 'Insert', code: 'Insert', keyCode: 45 },
};
for (let i = 1; i <= 12; i++) NAMED[`F${i}`] = { key: `F${i}`, code: `F${i}`, keyCode: 111 + i };

const ALIASES: Record<string, string> = {
  esc: 'Escape',
  return: 'Enter',
  up: 'ArrowUp',
  down: 'ArrowDown',
  left: 'ArrowLeft',
  right: 'ArrowRight',
  del: 'Delete',
  pgup: 'PageUp',
  pgdn: 'PageDown',
  space: 'Space',
};

const MODIFIERS: Record<string, { bit: number; def: KeyDef }> = {
  Alt: { bit: 1, def: { key: 'Alt', code: 'AltLeft', keyCode: 18, location: 1 } },
  Control: { bit: 2, def: { key: 'Control', code: 'ControlLeft', keyCode: 17, location: 1 } },
  Meta: { bit: 4, def: { key: 'Meta', code: 'MetaLeft', keyCode: 91, location: 1 } },
  Shift: { bit: 8, def: { key: 'Shift', code: 'ShiftLeft', keyCode: 16, location: 1 } },
};
const MOD_ALIASES: Record<string, string> = {
  ctrl: 'Control',
  control: 'Control',
  cmd: 'Meta',
  meta: 'Meta',
  command: 'Meta',
  super: 'Meta',
  alt: 'Alt',
  option: 'Alt',
  shift: 'Shift',
};

function charKey(ch: string, shift: boolean): KeyDef {
  if (/^[a-z]$/i.test(ch)) {
    const upper = ch.toUpperCase();
    const key = shift ? upper : ch;
    return { key, code: `Key${upper}`, keyCode: upper.charCodeAt(0), text: key };
  }
  if (/^\d$/.test(ch)) return { key: ch, code: `Digit${ch}`, keyCode: ch.charCodeAt(0), text: ch };
  return { key: ch, code: '', keyCode: 0, text: ch };
}

export interface ParsedKey {
  modifiers: string[];
  mask: number;
  def: KeyDef;
}

/** Parses `Enter`, `a`, `Control+A`, `Shift+Tab`, `Ctrl+Shift+K`. INVALID_ARGUMENTS for unknown names. */
export function parseKey(spec: string): ParsedKey {
  const parts = spec === '+' ? ['+'] : spec.split('+').map((p) => p.trim());
  if (spec.endsWith('++')) parts.splice(parts.length - 2, 2, '+');
  const main = parts.pop();
  if (main === undefined || main === '')
    throw new BdgError('INVALID_ARGUMENTS', `Invalid key "${spec}"`, 'Examples: Enter, Tab, Escape, ArrowDown, a, Control+A, Shift+Tab.');
  const modifiers: string[] = [];
  let mask = 0;
  for (const p of parts) {
    const name = MOD_ALIASES[p.toLowerCase()];
    if (name === undefined)
      throw new BdgError('INVALID_ARGUMENTS', `Unknown modifier "${p}" in "${spec}"`, 'Modifiers: Control (Ctrl), Shift, Alt, Meta (Cmd).');
    modifiers.push(name);
    mask |= (MODIFIERS[name] as { bit: number }).bit;
  }
  let def: KeyDef | undefined;
  if (main.length === 1) def = charKey(main, (mask & 8) !== 0);
  else {
    const named = NAMED[main] ?? NAMED[ALIASES[main.toLowerCase()] ?? ''] ?? Object.values(NAMED).find((d) => d.code.toLowerCase() === main.toLowerCase());
    def = named ?? MODIFIERS[MOD_ALIASES[main.toLowerCase()] ?? '']?.def;
  }
  if (def === undefined) {
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `Unknown key "${main}"`,
      `Keys: single characters, ${Object.keys(NAMED).slice(0, 15).join(', ')}, F1-F12; modifiers joined with + (Control+A).`,
    );
  }
  return { modifiers, mask, def };
}

/** Presses a key combination with Input.dispatchKeyEvent: modifiers down, key down/up, modifiers up. */
export async function pressKey(session: BrowserSession, key: ParsedKey, signal?: AbortSignal): Promise<void> {
  const opts = { timeoutMs: 10_000, ...(signal !== undefined ? { signal } : {}) };
  let mask = 0;
  for (const m of key.modifiers) {
    const mod = MODIFIERS[m] as { bit: number; def: KeyDef };
    mask |= mod.bit;
    await session.pageSend(
      'Input.dispatchKeyEvent',
      { type: 'rawKeyDown', modifiers: mask, key: mod.def.key, code: mod.def.code, windowsVirtualKeyCode: mod.def.keyCode, location: 1 },
      opts,
    );
  }
  // With Control/Alt/Meta held the key produces no text (it is a shortcut); Shift keeps it.
  const text = (mask & 7) === 0 ? key.def.text : undefined;
  const base = {
    modifiers: mask,
    key: key.def.key,
    code: key.def.code,
    windowsVirtualKeyCode: key.def.keyCode,
    nativeVirtualKeyCode: key.def.keyCode,
    ...(key.def.location !== undefined ? { location: key.def.location } : {}),
  };
  await session.pageSend(
    'Input.dispatchKeyEvent',
    { type: text !== undefined ? 'keyDown' : 'rawKeyDown', ...base, ...(text !== undefined ? { text, unmodifiedText: text } : {}) },
    opts,
  );
  await session.pageSend('Input.dispatchKeyEvent', { type: 'keyUp', ...base }, opts);
  for (const m of [...key.modifiers].reverse()) {
    const mod = MODIFIERS[m] as { bit: number; def: KeyDef };
    mask &= ~mod.bit;
    await session.pageSend(
      'Input.dispatchKeyEvent',
      { type: 'keyUp', modifiers: mask, key: mod.def.key, code: mod.def.code, windowsVirtualKeyCode: mod.def.keyCode, location: 1 },
      opts,
    );
  }
}

/** A real mouse click at viewport point (x, y): move, press, release (twice for a double click). */
export async function mouseClick(
  session: BrowserSession,
  x: number,
  y: number,
  opts: { button: 'left' | 'right'; double: boolean; signal?: AbortSignal },
): Promise<void> {
  const o = { timeoutMs: 10_000, ...(opts.signal !== undefined ? { signal: opts.signal } : {}) };
  await session.pageSend('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y, button: 'none' }, o);
  const clicks = opts.double ? 2 : 1;
  const buttons = opts.button === 'left' ? 1 : 2;
  for (let n = 1; n <= clicks; n++) {
    await session.pageSend('Input.dispatchMouseEvent', { type: 'mousePressed', x, y, button: opts.button, buttons, clickCount: n }, o);
    await session.pageSend('Input.dispatchMouseEvent', { type: 'mouseReleased', x, y, button: opts.button, buttons: 0, clickCount: n }, o);
  }
}

export async function mouseMove(session: BrowserSession, x: number, y: number, signal?: AbortSignal): Promise<void> {
  await session.pageSend(
    'Input.dispatchMouseEvent',
    { type: 'mouseMoved', x, y, button: 'none' },
    { timeoutMs: 10_000, ...(signal !== undefined ? { signal } : {}) },
  );
}
