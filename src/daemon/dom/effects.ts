/**
 * Whether an action changed the page in a way CDP's network and page events do not show: a MutationObserver on the
 * main document (child lists, attributes, text), plus `input`/`change`/`scroll`/`toggle` events (a checkbox toggled
 * by a click changes a property, not an attribute), and a focus move (see START_FN). Both live in bdg's isolated world: it shares the page's DOM,
 * so its observer sees the page's changes, while the page sees neither the observer nor its listeners. CSS-only
 * changes (`:hover` styles, animations) and changes inside shadow roots are not seen.
 */

/** Runs one page-side function on the main document in bdg's world. */
export type DocumentCall = <T>(fn: string, args: unknown[]) => Promise<T>;

export { NO_EFFECT_WINDOW_MS } from '../../protocol/results.js';

// A per-action token keeps two watches apart (an earlier one that was never stopped cannot inflate this count).
// A focus move counts: any one (`anyFocus`, keys: Tab moves the focus ring), or onto an editable control (a click into a
// text field shows its caret; a click on a button focuses it in Chrome, which is not an effect of the button).
const START_FN = `function (token, anyFocus) {
  const store = (globalThis.__bdgEffects ??= new Map());
  for (const [t, w] of store) if (Date.now() - w.at > 60000) { w.stop(); store.delete(t); }
  const w = { n: 0, at: Date.now(), focus: this.activeElement, anyFocus };
  const bump = () => { w.n++; };
  const obs = new MutationObserver((records) => { w.n += records.length; });
  obs.observe(this, { subtree: true, childList: true, attributes: true, characterData: true });
  const types = ['input', 'change', 'scroll', 'toggle'];
  for (const t of types) this.addEventListener(t, bump, true);
  w.stop = () => { obs.disconnect(); for (const t of types) this.removeEventListener(t, bump, true); };
  store.set(token, w);
  return true;
}`;

const READ_FN = `function (token, stop) {
  const store = globalThis.__bdgEffects;
  const w = store && store.get(token);
  if (!w) return -1;
  let n = w.n;
  const f = this.activeElement;
  if (f !== w.focus && f !== null && f !== this.body) {
    const editable = f.isContentEditable || (f.matches && f.matches('input:not([type=button]):not([type=submit]):not([type=reset]):not([type=checkbox]):not([type=radio]), textarea, select'));
    if (w.anyFocus || editable) n++;
  }
  if (stop) { w.stop(); store.delete(token); }
  return n;
}`;

/** A watch on the document's changes during one action. */
export class DomChangeWatch {
  readonly #call: DocumentCall;
  readonly #token: string;

  private constructor(call: DocumentCall, token: string) {
    this.#call = call;
    this.#token = token;
  }

  /** Starts watching; undefined when the page does not take it (it then reports nothing about DOM changes). */
  static async start(call: DocumentCall, anyFocus: boolean): Promise<DomChangeWatch | undefined> {
    const token = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    try {
      await call<boolean>(START_FN, [token, anyFocus]);
      return new DomChangeWatch(call, token);
    } catch {
      return undefined;
    }
  }

  /**
   * DOM changes and input/scroll events counted so far; undefined when the document it watched is gone (a
   * navigation, which is an effect of its own) or did not answer.
   */
  async changes(stop = false): Promise<number | undefined> {
    try {
      const n = await this.#call<number>(READ_FN, [this.#token, stop]);
      return n < 0 ? undefined : n;
    } catch {
      return undefined;
    }
  }
}
