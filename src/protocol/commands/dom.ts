import { fullOption } from '../spec.js';
import type { A11yNode, ActionCompat, ActionReport, ElementInfo } from '../results.js';
import type { ConsoleRecord, NetworkListItem } from '../records.js';
import type { CommandSpec, OptionSpec } from '../spec.js';
import type { AuditResult, FormResult, FrameRecord, InspectResult, LayoutResult, ListenersResult } from './domInspect.js';

const targetArg = {
  name: 'target',
  required: true,
  description: 'Selector (CSS, text=..., :has-text("..."), xpath=...), ref (e12) or `dom query` index (0)',
} as const;

// No default: absent means the session's (`bdg <url> --dialog`, else accept), which a default here would hide.
export const dialogOption = {
  type: 'string',
  choices: ['accept', 'dismiss'],
  placeholder: 'ACTION',
  description: "How to answer JavaScript dialogs that open during this command (default: the session's, else accept)",
} as const satisfies OptionSpec;

/** `--frame` on `dom eval` and `dom query`: which iframe to run in. */
export const frameOption = {
  type: 'string',
  placeholder: 'FRAME',
  description: 'Run in an iframe: index from `dom frames`, name, id or part of its URL',
} as const satisfies OptionSpec;

/** The same words as `dom query --limit`, so tools that list commands together (MCP) describe it once. */
const limitOption = (dflt: number) =>
  ({ type: 'number', integer: true, min: 1, max: 10_000, default: dflt, placeholder: 'N', description: 'Show at most N matches' }) as const;
const pointOption = (description: string) => ({ type: 'string', placeholder: 'X,Y', description }) as const satisfies OptionSpec;

const waitOption = {
  type: 'number',
  min: 0,
  max: 60,
  default: 5,
  placeholder: 'S',
  description: 'Wait up to S seconds for a selector to match an element that can be acted on',
} as const satisfies OptionSpec;

/** `dom eval --full`: the whole value; without it an array lists its first 100 elements and a value over 1 MB is cut. */
const evalFullOption = {
  type: 'boolean',
  default: false,
  description: 'The whole value (default: an array lists its first 100 elements, a value over 1 MB of JSON is cut; count/omitted/truncatedFrom say so)',
} as const satisfies OptionSpec;

/** `--index N` of the original bdg's actions: which match of a selector (0-based); out of range is exit 81. */
const indexOption = {
  type: 'number',
  integer: true,
  min: 0,
  max: 100_000,
  placeholder: 'N',
  alias: true,
  description: 'Act on the Nth match of the selector (0-based) instead of the first visible one',
} as const satisfies OptionSpec;

/** `--no-wait` of the original bdg's actions. */
const noWaitOption = {
  type: 'boolean',
  default: true,
  negatable: true,
  alias: true,
  description: '--no-wait: return right after the action instead of waiting (bounded) for its requests and load to settle',
} as const satisfies OptionSpec;

/** `--strict` of the original bdg's click and hover. */
const strictOption = {
  type: 'boolean',
  default: false,
  alias: true,
  description: 'Fail with exit 90 (not 104) when a real mouse cannot reach the element (covered, hidden, disabled)',
} as const satisfies OptionSpec;

const keyArg = { name: 'key', required: true, description: 'Key name or character, modifiers joined with + (Control, Shift, Alt, Meta)' } as const;

/**
 * `dom press` and its alias `dom pressKey` share everything but their words, help and arguments: `pressKey` also
 * takes the original bdg's `<target> <key>` (one argument alone is the key), `--times` and `--modifiers`.
 */
function pressEntry<N extends 'dom.press' | 'dom.pressKey'>(name: N) {
  return {
    name,
    path: ['dom', name.slice(4) as N extends `dom.${infer W}` ? W : never],
    args: [keyArg],
    options: {
      selector: { type: 'string', placeholder: 'TARGET', description: 'Focus this element (selector or ref) first' },
      dialog: dialogOption,
    },
    readOnly: false,
    runs: 'daemon',
    page: 'live',
    timeoutMs: 60_000,
  } as const;
}

/** Page interaction: find elements, read them, act on them. */
export const DOM_COMMANDS = [
  {
    name: 'dom.query',
    path: ['dom', 'query'],
    summary: 'Find elements (CSS, text=..., :has-text("..."), xpath=...; open shadow roots and same-origin iframes included) and print short refs',
    args: [{ name: 'selector', required: true, description: 'CSS, text=Sign in (text="Sign in": exact), button:has-text("Place order"), or xpath=//a' }],
    options: {
      full: fullOption,
      limit: { type: 'number', integer: true, min: 1, max: 1000, default: 20, placeholder: 'N', description: 'Show at most N matches' },
      frame: frameOption,
    },
    listing: {},
    readOnly: true,
    runs: 'daemon',
    page: 'live',
    examples: [
      'bdg dom query "button"',
      'bdg dom query "input" --frame checkout',
      'bdg dom query \'button:has-text("Place order")\'',
      'bdg dom query "text=Sign in" --json',
    ],
  },
  {
    name: 'dom.get',
    path: ['dom', 'get'],
    summary: 'Show one element: attributes, text, box, accessible role and name, outerHTML (bounded)',
    args: [{ ...targetArg, required: false, description: `${targetArg.description}; not with --node-id` }],
    options: {
      'max-length': { type: 'number', integer: true, min: 0, max: 10_000_000, default: 10_000, placeholder: 'N', description: 'Cut outerHTML at N characters' },
      // The original bdg's forms: --raw lists matches as {nodes: [{nodeId, tag, attributes, classes, outerHTML}]}.
      raw: { type: 'boolean', default: false, alias: true, description: 'The HTML form: {nodes: [{nodeId, tag, attributes, classes, outerHTML, ref}]}' },
      all: { type: 'boolean', default: false, alias: true, description: 'Every match (the --raw form; 100 at most unless --full)' },
      nth: { type: 'number', alias: true, integer: true, min: 0, max: 100_000, placeholder: 'N', description: 'The Nth match (0-based)' },
      index: { type: 'number', integer: true, min: 0, max: 100_000, placeholder: 'N', alias: true, description: 'As --nth: the Nth match (0-based)' },
      'node-id': {
        alias: true,
        type: 'number',
        integer: true,
        min: 1,
        max: 2 ** 31,
        placeholder: 'ID',
        description: 'The element with this nodeId (from dom query or dom get --raw; the --raw form)',
      },
      full: { type: 'boolean', default: false, description: 'Whole outerHTML and every match, uncut' },
    },
    readOnly: true,
    runs: 'daemon',
    page: 'live',
    examples: [
      'bdg dom get e3',
      'bdg dom get "#checkout" --max-length 500',
      'bdg dom get "button" --raw --nth 2',
      'bdg dom get "li" --raw --all --json',
      'bdg dom get --node-id 42',
    ],
  },
  {
    name: 'dom.eval',
    path: ['dom', 'eval'],
    summary: 'Evaluate JavaScript in the page (top-level await allowed) and print the result by value; a page exception fails with its message',
    args: [{ name: 'expression', required: true, description: 'JavaScript expression or statements' }],
    options: { dialog: dialogOption, frame: frameOption, full: evalFullOption },
    readOnly: false,
    runs: 'daemon',
    page: 'live',
    timeoutMs: 60_000,
    examples: [
      'bdg dom eval "document.title"',
      'bdg dom eval --frame 0 "location.origin"',
      'bdg dom eval "await fetch(\'/api\').then(r => r.status)"',
      'bdg dom eval "[...document.links].length" --json',
    ],
  },
  {
    name: 'eval',
    path: ['eval'],
    summary: 'Same as `dom eval`: evaluate JavaScript in the page and print the result by value',
    args: [{ name: 'expression', required: true, description: 'JavaScript expression or statements' }],
    options: { dialog: dialogOption, full: evalFullOption },
    readOnly: false,
    runs: 'daemon',
    page: 'live',
    timeoutMs: 60_000,
    via: 'dom.eval',
    examples: ['bdg eval "document.title"'],
  },
  {
    name: 'dom.screenshot',
    path: ['dom', 'screenshot'],
    summary: 'Save a screenshot (full page by default) as PNG or JPEG; prints path, size and dimensions',
    args: [
      { name: 'file', required: true, description: 'Output file; .png, .jpg or .jpeg picks the format' },
      { name: 'target', required: false, alias: true, description: 'Only this element (as --selector)' },
    ],
    options: {
      viewport: { type: 'boolean', default: false, description: 'Only the viewport' },
      'full-page': { type: 'boolean', default: true, negatable: true, alias: true, description: '--no-full-page: only the viewport (as --viewport)' },
      selector: { type: 'string', placeholder: 'TARGET', description: 'Only this element (selector or ref)' },
      format: {
        type: 'string',
        choices: ['png', 'jpeg', 'jpg'],
        anyCase: true,
        placeholder: 'FMT',
        description: 'Image format, in any case (default: from the extension; a .png/.jpg/.jpeg file must match it)',
      },
      quality: { type: 'number', integer: true, min: 1, max: 100, default: 80, placeholder: 'Q', description: 'JPEG quality' },
      'max-width': {
        type: 'number',
        integer: true,
        min: 16,
        max: 100_000,
        placeholder: 'PX',
        description: 'Scale down to at most PX wide (for vision models)',
      },
    },
    readOnly: true,
    runs: 'daemon',
    page: 'live',
    timeoutMs: 60_000,
    examples: [
      'bdg dom screenshot page.png',
      'bdg dom screenshot shot.jpg --viewport --max-width 1024',
      'bdg dom screenshot cart.png --selector "#cart"',
      'bdg dom screenshot visible.png --no-full-page',
      'bdg dom screenshot cart.png "#cart"',
    ],
  },
  {
    name: 'dom.a11y',
    path: ['dom', 'a11y'],
    summary: 'Show the accessibility tree (roles, names, states) with refs; compact by default',
    args: [],
    options: {
      full: { type: 'boolean', default: false, description: 'Everything: generic containers and ignored nodes kept, no node limit, whole names' },
      limit: { type: 'number', integer: true, min: 1, max: 100_000, default: 500, placeholder: 'N', description: 'Show at most N nodes' },
    },
    listing: {},
    readOnly: true,
    runs: 'daemon',
    page: 'live',
    timeoutMs: 30_000,
    examples: ['bdg dom a11y', 'bdg dom a11y --full --json'],
  },
  {
    name: 'dom.a11y.query',
    path: ['dom', 'a11y', 'query'],
    summary: 'Find accessibility nodes by role and/or name (substring, case-insensitive) and print their refs',
    args: [{ name: 'pattern', required: false, alias: true, description: 'role=ROLE name=TEXT (or role:ROLE), as --role/--name' }],
    options: {
      full: fullOption,
      role: { type: 'string', placeholder: 'ROLE', description: 'Role such as button, link, textbox, checkbox, heading' },
      name: { type: 'string', placeholder: 'TEXT', description: 'Accessible name contains TEXT' },
      limit: { type: 'number', integer: true, min: 1, max: 10_000, default: 50, placeholder: 'N', description: 'Show at most N matches' },
    },
    listing: {},
    readOnly: true,
    runs: 'daemon',
    page: 'live',
    timeoutMs: 30_000,
    examples: ['bdg dom a11y query --role button', 'bdg dom a11y query --role textbox --name email', 'bdg dom a11y query "role=button name=Place order"'],
  },
  {
    name: 'dom.inspect',
    path: ['dom', 'inspect'],
    summary: 'Show what an element looks like: computed styles that matter, box model, and with --rules/--why the CSS rules (file:line) that set them',
    args: [targetArg],
    options: {
      props: { type: 'string', placeholder: 'P,..', description: 'Only these properties (comma-separated; custom ones too)' },
      rules: { type: 'boolean', default: false, description: 'The matched CSS rules with file:line' },
      why: {
        type: 'string',
        placeholder: 'PROP',
        description: 'The declaration of PROP that wins, and the ones it beats',
      },
    },
    readOnly: true,
    runs: 'daemon',
    page: 'live',
    timeoutMs: 30_000,
    examples: [
      'bdg dom inspect "#save"',
      'bdg dom inspect ".btn" --props color,background-color',
      'bdg dom inspect ".btn" --rules',
      'bdg dom inspect ".btn" --why color',
    ],
  },
  {
    name: 'dom.layout',
    path: ['dom', 'layout'],
    summary: 'Where elements are and whether a user can see them: box, in viewport or not, covered by what, scroll container, clipped by, why hidden',
    args: [targetArg],
    options: { full: fullOption, limit: limitOption(20) },
    listing: {},
    readOnly: true,
    runs: 'daemon',
    page: 'live',
    examples: ['bdg dom layout "#save"', 'bdg dom layout "button" --json'],
  },
  {
    name: 'dom.listeners',
    path: ['dom', 'listeners'],
    summary: 'Event listeners that run for an element, with source file:line: its own, delegated ones on ancestors, document and window, React props handlers',
    args: [targetArg],
    options: {
      full: fullOption,
      type: { type: 'string', placeholder: 'T,..', description: 'Only these event types (comma-separated)' },
      limit: limitOption(100),
    },
    listing: {},
    readOnly: true,
    runs: 'daemon',
    page: 'live',
    timeoutMs: 30_000,
    examples: ['bdg dom listeners "#save"', 'bdg dom listeners "#save" --type click --json'],
  },
  {
    name: 'dom.frames',
    path: ['dom', 'frames'],
    summary: 'List the iframes (nested ones too) with URL, origin, and whether they are cross-origin or out-of-process; index for --frame',
    args: [],
    options: { full: fullOption, limit: limitOption(100) },
    listing: {},
    readOnly: true,
    runs: 'daemon',
    page: 'live',
    examples: ['bdg dom frames', 'bdg dom frames --json'],
  },
  {
    name: 'dom.form',
    path: ['dom', 'form'],
    summary:
      'The forms on the page (shadow roots too): fields with label, type, value (secrets masked), required, validity message, submit buttons, fill lines',
    args: [{ ...targetArg, required: false }],
    options: { full: fullOption, all: { type: 'boolean', default: false, description: 'Every form' }, limit: limitOption(100) },
    listing: {},
    readOnly: true,
    runs: 'daemon',
    page: 'live',
    examples: ['bdg dom form', 'bdg dom form "#login" --json', 'bdg dom form --all'],
  },
  {
    name: 'dom.audit',
    path: ['dom', 'audit'],
    summary: 'Page-wide checks: text below WCAG contrast (with its colours and ratio), elements overflowing their container or the page',
    args: [{ name: 'check', required: false, choices: ['contrast', 'overflow'], description: 'One check (default: all)' }],
    options: {
      full: fullOption,
      level: { type: 'string', choices: ['AA', 'AAA'], default: 'AA', placeholder: 'LEVEL', description: 'WCAG level for contrast' },
      limit: limitOption(20),
    },
    listing: {},
    readOnly: true,
    runs: 'daemon',
    page: 'live',
    timeoutMs: 60_000,
    examples: ['bdg dom audit', 'bdg dom audit contrast --level AAA', 'bdg dom audit overflow --json'],
  },
  {
    name: 'dom.click',
    path: ['dom', 'click'],
    summary: 'Click an element with real mouse events at its centre (scrolled into view), or a point; fails if it is hidden, disabled or covered',
    args: [{ ...targetArg, required: false }],
    options: {
      at: pointOption('Click this page point (CSS px from the document top-left), no target'),
      offset: pointOption("Click this point from the element's top-left"),
      double: { type: 'boolean', default: false, description: 'Double click' },
      right: { type: 'boolean', default: false, description: 'Right click (context menu)' },
      index: indexOption,
      strict: strictOption,
      wait: noWaitOption,
      dialog: dialogOption,
      timeout: waitOption,
    },
    readOnly: false,
    runs: 'daemon',
    page: 'live',
    timeoutMs: 120_000,
    examples: [
      'bdg dom click e4',
      'bdg dom click \'button:has-text("Place order")\'',
      'bdg dom click "#delete" --dialog dismiss',
      'bdg dom click --at 120,340',
      'bdg dom click canvas --offset 10,10',
    ],
  },
  {
    name: 'dom.fill',
    path: ['dom', 'fill'],
    summary:
      'Fill a form control like a user (works with React/Vue/Angular): text, number, select (value or label), checkbox/radio (true/false), file (path); no key events (see dom type)',
    args: [targetArg, { name: 'value', required: true, description: 'Text; option value or label; true/false; or a file path for file inputs' }],
    options: {
      index: indexOption,
      wait: noWaitOption,
      blur: {
        type: 'boolean',
        default: true,
        negatable: true,
        alias: true,
        description: "--no-blur (the original bdg's): keep the focus in the field; bdg never blurs after filling, so this is always so",
      },
      dialog: dialogOption,
      timeout: waitOption,
      cwd: { type: 'string', placeholder: 'DIR', description: 'Directory a relative upload path is resolved against (default: the current directory)' },
    },
    readOnly: false,
    runs: 'daemon',
    page: 'live',
    idempotent: true,
    timeoutMs: 120_000,
    examples: [
      'bdg dom fill "#email" ada@example.com',
      'bdg dom fill "select[name=country]" Norway',
      'bdg dom fill "#terms" true',
      'bdg dom fill "input[type=file]" ./cv.pdf',
    ],
  },
  {
    name: 'dom.type',
    path: ['dom', 'type'],
    summary: 'Type text key by key (keydown, keypress, input, keyup per character), for editors and inputs that listen to keys',
    args: [targetArg, { name: 'text', required: true, description: 'Text; a newline is Enter, a tab Tab' }],
    options: {
      delay: { type: 'number', integer: true, min: 0, max: 5_000, default: 0, placeholder: 'MS', description: 'Milliseconds between keys' },
      dialog: dialogOption,
      timeout: waitOption,
    },
    readOnly: false,
    runs: 'daemon',
    page: 'live',
    timeoutMs: 300_000,
    examples: ['bdg dom type "#editor" "hello world"', 'bdg dom type ".monaco-editor textarea" "const x = 1;" --delay 20'],
  },
  {
    name: 'dom.drag',
    path: ['dom', 'drag'],
    summary: 'Drag an element onto another (its centre) or to --to X,Y with real mouse events (HTML5 drag-and-drop too)',
    args: [
      { ...targetArg, name: 'source', description: 'The element to drag (selector or ref)' },
      { ...targetArg, required: false },
    ],
    options: {
      to: pointOption('Drop at this page point'),
      'from-offset': pointOption("Press at this point from the source's top-left"),
      steps: { type: 'number', integer: true, min: 1, max: 200, default: 10, placeholder: 'N', description: 'Mouse moves between press and release' },
      dialog: dialogOption,
      timeout: waitOption,
    },
    readOnly: false,
    runs: 'daemon',
    page: 'live',
    timeoutMs: 120_000,
    examples: ['bdg dom drag "#item-1" "#item-3"', 'bdg dom drag canvas --from-offset 10,10 --to 200,150'],
  },
  {
    name: 'dom.hover',
    path: ['dom', 'hover'],
    summary: 'Move the mouse over an element (scrolled into view); --off moves it off the page (closes hover menus)',
    args: [{ ...targetArg, required: false }],
    options: {
      off: { type: 'boolean', default: false, description: 'Move the mouse off the page instead (mouseleave; menus that open on hover close)' },
      index: indexOption,
      strict: strictOption,
      wait: noWaitOption,
      dialog: dialogOption,
      timeout: waitOption,
    },
    readOnly: false,
    runs: 'daemon',
    page: 'live',
    idempotent: true,
    timeoutMs: 120_000,
    examples: ['bdg dom hover "nav .menu"', 'bdg dom hover e7', 'bdg dom hover --off'],
  },
  {
    ...pressEntry('dom.press'),
    summary: 'Press a key or combination (Enter, Tab, Escape, ArrowDown, Control+A, Shift+Tab) in the focused element',
    examples: ['bdg dom press Enter', 'bdg dom press Control+A --selector "#q"', 'bdg dom press Shift+Tab'],
  },
  {
    ...pressEntry('dom.pressKey'),
    args: [
      { name: 'target', required: true, description: 'Element to focus first (selector, ref or query index); alone, the key' },
      { ...keyArg, required: false },
    ],
    // The original bdg's pressKey options; `dom press` spells both in the key (Control+A) and the command line.
    options: {
      ...pressEntry('dom.pressKey').options,
      times: { type: 'number', integer: true, min: 1, max: 100, default: 1, placeholder: 'N', description: 'Press the key N times' },
      modifiers: { type: 'string', placeholder: 'MODS', description: 'Modifiers held down, comma-separated: shift,ctrl,alt,meta' },
      index: { ...indexOption, description: 'Focus the Nth match of the target selector (0-based)' },
      wait: noWaitOption,
    },
    summary: 'Same as `dom press`, also as the original bdg has it: `dom pressKey <target> <key>`',
    via: 'dom.press',
    examples: [
      'bdg dom pressKey Escape',
      'bdg dom pressKey "#q" Enter',
      'bdg dom pressKey "#list" ArrowDown --times 3',
      'bdg dom pressKey textarea a --modifiers ctrl',
    ],
  },
  {
    name: 'dom.submit',
    path: ['dom', 'submit'],
    summary: 'Submit a form (or the form of an element in it) and wait for the navigation or for the network to go quiet',
    args: [{ ...targetArg, description: 'The form, or any element inside it (selector or ref)' }],
    options: {
      index: indexOption,
      'wait-navigation': {
        type: 'boolean',
        default: false,
        description: 'Wait for the navigation the submission starts and its load (no navigation by --timeout: a warning, navigationOccurred false)',
      },
      'wait-network': {
        alias: true,
        type: 'number',
        integer: true,
        min: 0,
        max: 60_000,
        placeholder: 'MS',
        description: 'Network quiet that counts as done, in milliseconds (default 500)',
      },
      dialog: dialogOption,
      timeout: { ...waitOption, max: 120, default: 30, description: 'Wait up to S seconds for the resulting load or network quiet' },
    },
    readOnly: false,
    runs: 'daemon',
    page: 'live',
    timeoutMs: 180_000,
    examples: ['bdg dom submit "#login"', 'bdg dom submit e5 --json'],
  },
  {
    name: 'dom.scroll',
    path: ['dom', 'scroll'],
    summary: 'Scroll an element into view, the window to a position, or to the bottom',
    args: [{ ...targetArg, required: false }],
    options: {
      x: { type: 'number', min: 0, max: 10_000_000, placeholder: 'PX', description: 'Scroll the window to this horizontal position' },
      y: { type: 'number', min: 0, max: 10_000_000, placeholder: 'PX', description: 'Scroll the window to this vertical position' },
      bottom: { type: 'boolean', default: false, description: 'Scroll to the bottom of the page (loads lazy content)' },
      top: { alias: true, type: 'boolean', default: false, description: 'Scroll to the top of the page' },
      down: { alias: true, type: 'number', min: 0, max: 10_000_000, placeholder: 'PX', description: 'Scroll the window down by PX' },
      up: { alias: true, type: 'number', min: 0, max: 10_000_000, placeholder: 'PX', description: 'Scroll the window up by PX' },
      left: { alias: true, type: 'number', min: 0, max: 10_000_000, placeholder: 'PX', description: 'Scroll the window left by PX' },
      right: { alias: true, type: 'number', min: 0, max: 10_000_000, placeholder: 'PX', description: 'Scroll the window right by PX' },
      index: indexOption,
      wait: noWaitOption,
      dialog: dialogOption,
    },
    readOnly: false,
    runs: 'daemon',
    page: 'live',
    idempotent: true,
    timeoutMs: 60_000,
    examples: ['bdg dom scroll "#footer"', 'bdg dom scroll --y 800', 'bdg dom scroll --down 500', 'bdg dom scroll --bottom'],
  },
  {
    name: 'dom.wait',
    path: ['dom', 'wait'],
    summary: 'Wait for a visible element, visible text, a URL, network quiet, a finished request and/or a console message; exits 102 on timeout',
    args: [{ name: 'target', required: false, description: 'Selector to wait for' }],
    options: {
      visible: { type: 'boolean', default: false, alias: true, description: 'The target is visible too (as --selector)' },
      gone: { type: 'boolean', default: false, description: 'The target is gone' },
      load: { type: 'boolean', default: false, description: 'Page load complete' },
      selector: { type: 'string', placeholder: 'SELECTOR', description: 'A visible element matches this selector' },
      text: { type: 'string', placeholder: 'TEXT', description: 'This text is visible on the page (case-insensitive)' },
      url: { type: 'string', placeholder: 'URL', description: 'The page URL contains this (or matches /regex/)' },
      'network-idle': { type: 'boolean', default: false, description: 'No request in flight for 500 ms' },
      request: {
        type: 'string',
        placeholder: 'FILTER',
        description: 'A request matching these filter terms finished (as network wait)',
      },
      console: { type: 'string', placeholder: 'REGEX', description: 'A console message matching this regex arrived' },
      timeout: { type: 'number', min: 0, max: 600, default: 30, placeholder: 'S', description: 'Give up after S seconds (exit 102)' },
    },
    readOnly: true,
    runs: 'daemon',
    page: 'live',
    timeoutMs: 610_000,
    examples: [
      'bdg dom wait --selector ".results li"',
      'bdg dom wait --text "Order placed" --timeout 10',
      'bdg dom wait --url /checkout --network-idle',
      'bdg dom wait --request "/api/orders method:POST" --console "saved"',
      'bdg dom wait ".spinner" --gone',
      'bdg dom wait "#results" --visible --load',
    ],
  },
] as const satisfies readonly CommandSpec[];

/**
 * One `dom query` match: the original bdg's `index`, `nodeId` (here the backend node id, stable for the document)
 * and `preview`, plus bdg's element description with its ref.
 */
export interface QueryNode extends ElementInfo {
  index: number;
  nodeId: number;
  backendNodeId: number;
  preview: string;
}

/** `dom get`: the element's description plus its attributes, box and bounded outerHTML. */
export interface ElementDetails extends ElementInfo {
  attributes: Record<string, string>;
  outerHTML: string;
  outerHTMLLength: number;
  truncated: boolean;
  box: { x: number; y: number; width: number; height: number };
  value?: string;
  checked?: boolean;
  /** A password, PIN or one-time-code field: its value is masked in `value`, `attributes` and `outerHTML`. */
  secret?: boolean;
  matched: number;
  /** The original bdg's semantic form: the element's accessibility node (role, name, states). */
  node: { role: string; name: string; focusable?: boolean; focused?: boolean; disabled?: boolean; required?: boolean; inferred?: boolean };
  /** The original bdg's DOM context: tag, classes and a text preview. */
  domContext: { tag: string; classes?: string[]; preview?: string };
}

/** One element of `dom get --raw` (the original bdg's fields, `nodeId` being the backend node id, plus bdg's ref). */
export interface RawElement {
  nodeId: number;
  tag: string;
  attributes?: Record<string, string>;
  classes?: string[];
  outerHTML?: string;
  /** Length of the outerHTML it was cut from (absent when whole). */
  truncatedFrom?: number;
  secret?: boolean;
  ref: string;
}

/** `dom get --raw` / `--all` / `--node-id`: `{nodes}` as in the original bdg, with how many matched and were left out. */
export interface RawGetResult {
  raw: true;
  nodes: RawElement[];
  count: number;
  omitted: number;
}

/**
 * Every action reports what it triggered: bdg's `triggered`, and the original bdg's fields (`triggeredRequests`,
 * `dialogs`, `errors`, `navigation`, `method`, `elementType`, `warning`).
 */
interface Action extends ActionCompat {
  action: string;
  triggered: ActionReport;
  /** How the action was carried out: "mouse events", "key events", "insertText", "requestSubmit", ... */
  method?: string;
  /** The tag of the element acted on (`input`, `button`). */
  elementType?: string;
  warning?: string;
}

export interface PointerResult extends Action {
  /** Absent for `dom click --at X,Y`, which clicks a point. */
  element?: ElementInfo;
  x: number;
  y: number;
}

export interface FillResult extends Action {
  /** True when the field holds a secret (password, PIN, one-time code): `value` is masked. */
  masked?: boolean;
  element: ElementInfo;
  kind: string;
  value?: string | undefined;
  label?: string | undefined;
  checked?: boolean | undefined;
}

export interface TypeResult extends Action {
  element: ElementInfo;
  /** Characters typed. */
  typed: number;
  /** The control's value (or text) afterwards, cut at 200 characters. */
  value?: string;
}

export interface DragResult extends Action {
  element: ElementInfo;
  from: { x: number; y: number };
  to: { x: number; y: number };
  target?: ElementInfo;
  /** Whether the page started an HTML5 drag (dragstart) and bdg completed it with drag events. */
  html5: boolean;
}

export interface PressResult extends Action {
  key: string;
  element?: ElementInfo;
}

export interface EvalResult {
  /** The URL of the frame it ran in (with --frame). */
  frame?: string;
  /** The value (the original bdg's field); `value` holds the same. */
  result: unknown;
  type: string;
  value: unknown;
  /** The value was bounded (without --full): the fields below say how. */
  truncated?: boolean;
  /** Elements of an array result, when only the first ones are listed. */
  count?: number;
  /** Elements left out of a listed array result. */
  omitted?: number;
  /** Length of the string or JSON text `result` is the start of. */
  truncatedFrom?: number;
  triggered: ActionReport;
}

export interface ScreenshotResult {
  path: string;
  format: string;
  bytes: number;
  width: number | null;
  height: number | null;
  mode: 'element' | 'viewport' | 'full-page';
  scaled: boolean;
  truncated?: boolean;
  element?: ElementInfo;
}

export interface DomResults {
  'dom.query': { selector: string; count: number; nodes: QueryNode[]; omitted: number; frame?: string };
  'dom.get': ElementDetails | RawGetResult;
  'dom.eval': EvalResult;
  eval: EvalResult;
  'dom.screenshot': ScreenshotResult;
  /** `nodes`: nodes in `tree`; `count`: nodes there were (after compaction); `omitted`: those past --limit. */
  'dom.a11y': { url: string; nodes: number; count: number; omitted: number; truncated: boolean; tree: A11yNode[] };
  'dom.a11y.query': { role: string | null; name: string | null; total: number; matches: A11yNode[] };
  'dom.inspect': InspectResult;
  'dom.layout': LayoutResult;
  'dom.listeners': ListenersResult;
  'dom.frames': { count: number; omitted: number; frames: FrameRecord[] };
  'dom.form': FormResult;
  'dom.audit': AuditResult;
  'dom.click': PointerResult;
  'dom.fill': FillResult;
  'dom.hover': PointerResult;
  'dom.type': TypeResult;
  'dom.drag': DragResult;
  'dom.press': PressResult;
  'dom.pressKey': PressResult;
  'dom.submit': Action & {
    element: ElementInfo;
    form: { action?: string | undefined; method?: string | undefined };
    /** The original bdg's: whether the submission navigated the page. */
    navigationOccurred: boolean;
    waitTimeMs: number;
  };
  'dom.scroll': Action & { element?: ElementInfo; scroll: Record<string, number> };
  'dom.wait': { waitedMs: number; met: Record<string, boolean>; url: string; request?: NetworkListItem; console?: ConsoleRecord };
}
