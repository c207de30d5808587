/**
 * Results of the inspection commands of the `dom` family (inspect, layout, listeners, frames, form, audit) and of
 * `css search`. Kept beside dom.ts so that family's file stays about its entries.
 */
import type { ElementInfo } from '../results.js';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One declaration of a matched rule. */
export interface Declaration {
  name: string;
  value: string;
  important?: boolean;
}

/** A rule that matches the element, as the cascade sees it. */
export interface MatchedRule {
  selector: string;
  /** `app.css:12`, `<style> in page:40`, `style attribute`, `user-agent`. */
  source: string;
  url?: string;
  /** 1-based, like DevTools; absent for the style attribute and browser rules. */
  line?: number;
  origin: 'author' | 'user-agent' | 'inline' | 'injected' | 'user';
  /** [ids, classes, types] of the matching selector. */
  specificity?: [number, number, number];
  media?: string[];
  layer?: string;
  /** From an ancestor (inherited properties only). */
  inherited?: number;
  declarations: Declaration[];
}

/** One step of `--why`: a declaration of the property and how it fared. */
export interface WhyStep {
  value: string;
  status: 'applied' | 'overridden' | 'inherited';
  rule: string;
  source: string;
  specificity?: [number, number, number];
  important?: boolean;
  /** Why it lost (or won): `!important`, `higher specificity`, `later in the cascade`, `style attribute`. */
  reason?: string;
  inheritedFrom?: number;
}

export interface WhyResult {
  property: string;
  computed: string;
  chain: WhyStep[];
}

export interface BoxModel {
  content: Rect;
  padding: Rect;
  border: Rect;
  margin: Rect;
}

export interface InspectResult {
  element: ElementInfo;
  matched: number;
  rect: Rect;
  box?: BoxModel;
  /** Computed values that differ from nothing-set (or those asked for with --props). */
  styles: Record<string, string>;
  stylesOmitted?: number;
  rules?: MatchedRule[];
  rulesOmitted?: number;
  why?: WhyResult[];
}

export type InViewport = 'visible' | 'partly' | 'above' | 'below' | 'left' | 'right' | 'hidden';

export interface LayoutElement {
  index: number;
  element: ElementInfo;
  bounds: Rect;
  viewport: { x: number; y: number };
  inViewport: InViewport;
  percentVisible?: number;
  /** display: none, visibility: hidden, opacity: 0, zero size, offscreen, inside a closed <details>. */
  hiddenReasons: string[];
  coveredBy?: string;
  scrollContainer?: string;
  clippedBy?: string;
  computed: { display: string; visibility: string; position: string; opacity: string; zIndex: string; overflow: string };
}

export interface LayoutResult {
  selector: string;
  count: number;
  omitted: number;
  page: { viewport: { width: number; height: number }; scroll: { x: number; y: number }; document: { width: number; height: number } };
  elements: LayoutElement[];
}

export interface ListenerHandler {
  name: string;
  preview: string;
  scriptId?: string;
  url?: string;
  /** 0-based, as in CDP. */
  lineNumber?: number;
  columnNumber?: number;
  /** `app.js:12:5` (1-based), or `script 12:12:5` when the script has no URL. */
  location?: string;
}

export interface ListenerRecord {
  type: string;
  on: 'target' | 'ancestor' | 'document' | 'window';
  node: string;
  useCapture: boolean;
  passive: boolean;
  once: boolean;
  /** Kept by this framework for its own dispatcher; `handler` is the real handler (see `dom listeners` in docs/dom.md). */
  framework?: 'React' | 'jQuery' | 'Preact';
  /** The React prop it is set as (`onClick`, `onClickCapture`). */
  reactProp?: string;
  /** jQuery: the selector of a delegated handler (`.on(type, selector, fn)`), which the element or one between matched. */
  delegateSelector?: string;
  handler: ListenerHandler;
}

export interface ListenersResult {
  selector: string;
  element: ElementInfo;
  count: number;
  omitted: number;
  listeners: ListenerRecord[];
  /** Interaction events the element has no listener of its own for but an ancestor handles (delegation). */
  delegated: string[];
}

export interface FrameRecord {
  index: number;
  frameId: string;
  url: string;
  name?: string;
  /** The id attribute of the <iframe>. */
  id?: string;
  origin: string;
  crossOrigin: boolean;
  outOfProcess: boolean;
  parentIndex?: number;
}

export interface FormField {
  index: number;
  ref?: string;
  tag: string;
  type: string;
  name?: string;
  label: string;
  value: string;
  /** The value is a secret (password, one-time code) and not shown. */
  masked?: boolean;
  checked?: boolean;
  required: boolean;
  disabled?: boolean;
  hidden?: boolean;
  valid: boolean;
  validationMessage?: string;
  inShadowRoot?: boolean;
}

export interface FormButton {
  ref?: string;
  label: string;
  type: string;
  disabled?: boolean;
}

export interface FormRecord {
  index: number;
  name: string;
  id?: string;
  action?: string;
  method?: string;
  inShadowRoot?: boolean;
  hidden?: boolean;
  fields: FormField[];
  fieldsOmitted: number;
  buttons: FormButton[];
  summary: { totalFields: number; filledFields: number; requiredRemaining: number; invalid: number; readyToSubmit: boolean };
  /** Ready-to-run commands: one `bdg dom fill` per field, the `bdg dom click` of the submit button. */
  commands: string[];
}

export interface FormResult {
  formCount: number;
  forms: FormRecord[];
  /** Forms found but not listed (without --all). */
  otherForms: number;
}

export interface ContrastItem {
  element: string;
  ref?: string;
  text: string;
  ratio: number;
  required: number;
  color: string;
  background: string;
  size: number;
  weight: number;
  inView: boolean;
}

export interface OverflowItem {
  element: string;
  ref?: string;
  text: string;
  /** What is cut: `x`, `y` or both; `page` for an element reaching past the page's right edge. */
  axis: string;
  scrollWidth: number;
  clientWidth: number;
  scrollHeight: number;
  clientHeight: number;
  overflow: string;
  /** `overflow: hidden` cuts the content off; `visible` lets it spill out of the box. */
  clipped: boolean;
}

export interface AuditResult {
  checks: string[];
  walked: number;
  capped: boolean;
  contrast?: { level: 'AA' | 'AAA'; checked: number; failing: number; omitted: number; items: ContrastItem[] };
  overflow?: { pageWidth: number; viewportWidth: number; scrollsSideways: boolean; count: number; omitted: number; items: OverflowItem[] };
}

export interface CssMatch {
  source: string;
  url: string;
  line: number;
  column: number;
  /** The rule's selector (or at-rule) around the match. */
  rule: string;
  /** The matching line, trimmed and cut. */
  text: string;
}

export interface CssSearchResult {
  text: string;
  stylesheets: number;
  count: number;
  omitted: number;
  matches: CssMatch[];
  /** Stylesheets that could not be read. */
  unreadable: number;
}
