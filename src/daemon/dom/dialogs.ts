import type { DialogRecord } from '../../protocol/results.js';
import type { Protocol } from 'devtools-protocol';

export type DialogAction = 'accept' | 'dismiss';

/** A JavaScript dialog (alert, confirm, prompt, beforeunload) the page opened, and what bdg answered. */
export type { DialogRecord } from '../../protocol/results.js';

const MAX_DIALOGS = 100;

/**
 * Answers every JavaScript dialog at once so no command hangs on one: a dialog blocks the page's main thread, and
 * with it every Runtime/Input call, until someone answers Page.handleJavaScriptDialog. Accepts by default; an
 * action can ask for `dismiss` while it runs. Keeps the newest dialogs for reports.
 */
export class DialogTracker {
  readonly #recent: DialogRecord[] = [];
  #seq = 0;
  #override: DialogAction | undefined;
  #default: DialogAction = 'accept';
  #promptText: string | undefined;

  /** The session's answer (`bdg <url> --dialog`, `--prompt-text`) when no action asks for another. */
  setDefault(action: DialogAction | undefined, promptText: string | undefined): void {
    if (action !== undefined) this.#default = action;
    this.#promptText = promptText;
  }

  /** Number of dialogs seen so far; pass it to {@link DialogTracker.since}. */
  get seq(): number {
    return this.#seq;
  }

  recent(): DialogRecord[] {
    return [...this.#recent];
  }

  since(seq: number): DialogRecord[] {
    return this.#recent.filter((d) => d.seq > seq);
  }

  /** Answers dialogs with `action` until the returned function is called. */
  override(action: DialogAction): () => void {
    const previous = this.#override;
    this.#override = action;
    return () => {
      this.#override = previous;
    };
  }

  /** Records the dialog and answers it through `answer` (Page.handleJavaScriptDialog on the page's session). */
  opened(e: Protocol.Page.JavascriptDialogOpeningEvent, answer: (params: Protocol.Page.HandleJavaScriptDialogRequest) => Promise<unknown>): void {
    const action = this.#override ?? this.#default;
    const record: DialogRecord = { seq: ++this.#seq, type: e.type, message: e.message, url: e.url, action, timestamp: Date.now() };
    if (e.defaultPrompt !== undefined && e.defaultPrompt !== '') record.defaultPrompt = e.defaultPrompt;
    this.#recent.push(record);
    if (this.#recent.length > MAX_DIALOGS) this.#recent.shift();
    const params: Protocol.Page.HandleJavaScriptDialogRequest = { accept: action === 'accept' };
    if (action === 'accept' && e.type === 'prompt') params.promptText = this.#promptText ?? e.defaultPrompt ?? '';
    answer(params).catch((err: unknown) => {
      record.error = err instanceof Error ? err.message : String(err);
    });
  }
}
