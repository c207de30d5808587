import type { BrowserSession } from '../session.js';

interface CharKey {
  key: string;
  code: string;
  keyCode: number;
  shift: boolean;
}

// US layout: the key a character is typed with, so `code` and `keyCode` are what a real keyboard sends.
const PUNCT: Record<string, [string, number, boolean]> = {
  ' ': ['Space', 32, false],
  '-': ['Minus', 189, false],
  _: ['Minus', 189, true],
  '=': ['Equal', 187, false],
  '+': ['Equal', 187, true],
  '[': ['BracketLeft', 219, false],
  '{': ['BracketLeft', 219, true],
  ']': ['BracketRight', 221, false],
  '}': ['BracketRight', 221, true],
  '\\': ['Backslash', 220, false],
  '|': ['Backslash', 220, true],
  ';': ['Semicolon', 186, false],
  ':': ['Semicolon', 186, true],
  "'": ['Quote', 222, false],
  '"': ['Quote', 222, true],
  ',': ['Comma', 188, false],
  '<': ['Comma', 188, true],
  '.': ['Period', 190, false],
  '>': ['Period', 190, true],
  '/': ['Slash', 191, false],
  '?': ['Slash', 191, true],
  '`': ['Backquote', 192, false],
  '~': ['Backquote', 192, true],
};
const SHIFTED_DIGITS = ')!@#$%^&*(';

/** The key, code and virtual key code a character is typed with; characters off the US layout get only `key`. */
export function keyForChar(ch: string): CharKey {
  if (/^[a-z]$/.test(ch)) return { key: ch, code: `Key${ch.toUpperCase()}`, keyCode: ch.toUpperCase().charCodeAt(0), shift: false };
  if (/^[A-Z]$/.test(ch)) return { key: ch, code: `Key${ch}`, keyCode: ch.charCodeAt(0), shift: true };
  if (/^\d$/.test(ch)) return { key: ch, code: `Digit${ch}`, keyCode: ch.charCodeAt(0), shift: false };
  const d = SHIFTED_DIGITS.indexOf(ch);
  if (d >= 0) return { key: ch, code: `Digit${d}`, keyCode: 48 + d, shift: true };
  const p = PUNCT[ch];
  if (p !== undefined) return { key: ch, code: p[0], keyCode: p[1], shift: p[2] };
  return { key: ch, code: '', keyCode: 0, shift: false };
}

/**
 * Types one character as a user would: keyDown carrying the text (Chrome then fires keydown, keypress,
 * beforeinput and input), keyUp. A newline is the Enter key, a tab the Tab key.
 */
export async function typeChar(session: BrowserSession, ch: string, signal?: AbortSignal): Promise<void> {
  const opts = { timeoutMs: 10_000, ...(signal !== undefined ? { signal } : {}) };
  let base: { key: string; code: string; windowsVirtualKeyCode: number; nativeVirtualKeyCode: number; modifiers: number };
  let text: string | undefined;
  if (ch === '\n' || ch === '\r') {
    base = { key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, nativeVirtualKeyCode: 13, modifiers: 0 };
    text = '\r';
  } else if (ch === '\t') {
    base = { key: 'Tab', code: 'Tab', windowsVirtualKeyCode: 9, nativeVirtualKeyCode: 9, modifiers: 0 };
  } else {
    const k = keyForChar(ch);
    base = { key: k.key, code: k.code, windowsVirtualKeyCode: k.keyCode, nativeVirtualKeyCode: k.keyCode, modifiers: k.shift ? 8 : 0 };
    text = ch;
  }
  await session.pageSend(
    'Input.dispatchKeyEvent',
    text !== undefined ? { type: 'keyDown', ...base, text, unmodifiedText: text } : { type: 'rawKeyDown', ...base },
    opts,
  );
  await session.pageSend('Input.dispatchKeyEvent', { type: 'keyUp', ...base }, opts);
}
