/**
 * Chrome Issues (DevTools' Issues panel, `Audits.issueAdded`) reduced into a bounded buffer of {@link IssueRecord}s:
 * cookies Chrome refused or will refuse, mixed content, resources and scripts blocked by CSP, deprecated APIs, CORS
 * and COEP/CORP blocks, quirks mode, form markup errors, and the rest with a generic line.
 *
 * Reports of one kind on one resource within a page load are one issue with a `count`: the key is the code, the
 * kind within it and the resource (request URL, insecure or blocked URL, cookie, source position). Chrome repeats some
 * reports verbatim (form issues twice, and every issue again on Audits.enable); an exact repeat within a page load is
 * not counted. Issues Chrome reports per element (form errors, element content errors) and warning-only cookie
 * issues (third-party cookie phase-out, hundreds on a news site) are one issue per kind, the elements listed. The
 * buffer keeps the newest, dropping and counting the oldest, per page load too.
 */
import type { Protocol } from 'devtools-protocol';
import type { IssueRecord } from '../protocol/records.js';
import { RingBuffer } from '../util/ringBuffer.js';

/** Options for {@link IssueCollector}. */
export interface IssueCollectorOptions {
  maxItems: number;
  maxBytes: number;
  /** The page load a request belongs to (a document's Set-Cookie issue may come before the document commits). */
  navigationOf?: (requestId: string) => number | undefined;
  now?: () => number;
}

/** Longest issue text kept. */
const MAX_TEXT_CHARS = 300;
/** Longest URL kept in an issue. */
const MAX_URL_CHARS = 2_000;
/** Most elements listed per issue. */
const MAX_NODES = 20;
/** Exact reports remembered per page load, to tell Chrome's repeats apart. */
const MAX_SEEN = 10_000;
/** Page loads whose dropped-issue count is remembered. */
const MAX_DROP_COUNTS = 256;
const RECORD_OVERHEAD = 300;

type Issue = Protocol.Audits.InspectorIssue;
type Details = Protocol.Audits.InspectorIssueDetails;
type Location = Protocol.Audits.SourceCodeLocation;

/** What a report says, before it is folded into an issue. */
export interface IssueReport {
  code: string;
  type?: string;
  text: string;
  source?: IssueRecord['source'];
  url?: string;
  requestId?: string;
  cookie?: string;
  node?: number;
  /** Reports of this kind are one issue whatever the resource (its elements listed). */
  byKind?: boolean;
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function sourceOf(l: Location | undefined): IssueRecord['source'] | undefined {
  if (l === undefined || typeof l.url !== 'string') return undefined;
  const out: NonNullable<IssueRecord['source']> = { url: clip(l.url, MAX_URL_CHARS) };
  if (typeof l.lineNumber === 'number') out.line = l.lineNumber + 1;
  if (typeof l.columnNumber === 'number') out.column = l.columnNumber + 1;
  return out;
}

/** `ExcludeSameSiteNoneInsecure` -> `SameSite=None without Secure`; unknown reasons as Chrome names them. */
const COOKIE_REASONS: Readonly<Record<string, string>> = {
  ExcludeSameSiteUnspecifiedTreatedAsLax: 'no SameSite attribute, treated as Lax, on a cross-site request',
  ExcludeSameSiteNoneInsecure: 'SameSite=None without Secure',
  ExcludeSameSiteLax: 'SameSite=Lax on a cross-site request',
  ExcludeSameSiteStrict: 'SameSite=Strict on a cross-site request',
  ExcludeDomainNonASCII: 'non-ASCII domain',
  ExcludeThirdPartyPhaseout: 'third-party cookies are blocked',
  ExcludePortMismatch: 'set for another port',
  ExcludeSchemeMismatch: 'set for another scheme',
  WarnSameSiteUnspecifiedCrossSiteContext: 'no SameSite attribute on a cross-site request',
  WarnSameSiteNoneInsecure: 'SameSite=None without Secure',
  WarnThirdPartyPhaseout: 'third-party cookies will be blocked',
  WarnAttributeValueExceedsMaxSize: 'an attribute value is too long',
  WarnDomainNonASCII: 'non-ASCII domain',
};

function cookieReasons(reasons: readonly string[]): string {
  return [...new Set(reasons.map((r) => COOKIE_REASONS[r] ?? r))].join('; ');
}

const CSP_KINDS: Readonly<Record<string, string>> = {
  kInlineViolation: 'an inline script or style',
  kEvalViolation: 'eval() or new Function()',
  kURLViolation: 'a resource',
  kSRIViolation: 'a resource without the required integrity',
  kTrustedTypesSinkViolation: 'a string passed to a Trusted Types sink',
  kTrustedTypesPolicyViolation: 'a Trusted Types policy',
  kWasmEvalViolation: 'WebAssembly compilation',
};

/** Form markup errors Chrome reports (GenericIssue), in words. */
const GENERIC_TEXTS: Readonly<Record<string, string>> = {
  FormLabelForNameError: '<label for> names a field by its name, not its id',
  FormDuplicateIdForInputError: 'Several form fields have the same id',
  FormInputWithNoLabelError: 'A form field has no label',
  FormAutocompleteAttributeEmptyError: 'A form field has an empty autocomplete attribute',
  FormEmptyIdAndNameAttributesForInputError: 'A form field has neither id nor name',
  FormAriaLabelledByToNonExistingIdError: 'aria-labelledby names an id no element has',
  FormInputAssignedAutocompleteValueToIdOrNameAttributeError: 'An autocomplete value was put in an id or name attribute',
  FormLabelHasNeitherForNorNestedInputError: 'A <label> has neither a for attribute nor a field inside',
  FormLabelForMatchesNonExistingIdError: '<label for> points at no element: no element has that id',
  FormInputHasWrongButWellIntendedAutocompleteValueError: 'A form field has a misspelt autocomplete value',
  ResponseWasBlockedByORB: 'A response was blocked by Opaque Response Blocking (ORB)',
};

/** The report of one issue: its one line and what it affects; undefined for a malformed one. */
export function toReport(issue: Issue): IssueReport | undefined {
  if (typeof issue?.code !== 'string') return undefined;
  const d: Details = typeof issue.details === 'object' && issue.details !== null ? issue.details : {};
  const code = issue.code;
  switch (code) {
    case 'CookieIssue': {
      const c = d.cookieIssueDetails;
      if (c === undefined) break;
      const exclusions = Array.isArray(c.cookieExclusionReasons) ? c.cookieExclusionReasons : [];
      const warnings = Array.isArray(c.cookieWarningReasons) ? c.cookieWarningReasons : [];
      const name = c.cookie?.name ?? (typeof c.rawCookieLine === 'string' ? c.rawCookieLine.split('=', 1)[0] : undefined);
      const blocked = exclusions.length > 0;
      const what = c.operation === 'ReadCookie' ? (blocked ? 'was not sent' : 'may not be sent') : blocked ? 'was not stored' : 'may be refused';
      const reasons = blocked ? exclusions : warnings;
      const url = c.request?.url ?? c.cookieUrl;
      return {
        code,
        type: reasons.join(','),
        text: `Cookie${name !== undefined ? ` "${name}"` : ''} ${what}: ${cookieReasons(reasons)}`,
        ...(url !== undefined ? { url } : {}),
        ...(c.request?.requestId !== undefined ? { requestId: c.request.requestId } : {}),
        ...(name !== undefined ? { cookie: name } : {}),
        // Warnings alone are advice about the future, reported for every cookie of every third party.
        ...(blocked ? {} : { byKind: true }),
      };
    }
    case 'MixedContentIssue': {
      const m = d.mixedContentIssueDetails;
      if (m === undefined) break;
      const how =
        m.resolutionStatus === 'MixedContentBlocked'
          ? 'blocked'
          : m.resolutionStatus === 'MixedContentAutomaticallyUpgraded'
            ? 'upgraded to HTTPS'
            : 'loaded with a warning';
      return {
        code,
        type: m.resolutionStatus,
        text: `Mixed content: ${m.resourceType ?? 'a resource'} over HTTP on an HTTPS page, ${how}: ${m.insecureURL}`,
        url: m.insecureURL,
        ...(m.request?.requestId !== undefined ? { requestId: m.request.requestId } : {}),
      };
    }
    case 'ContentSecurityPolicyIssue': {
      const p = d.contentSecurityPolicyIssueDetails;
      if (p === undefined) break;
      const kind = CSP_KINDS[p.contentSecurityPolicyViolationType] ?? p.contentSecurityPolicyViolationType;
      const verb = p.isReportOnly ? 'would block' : 'blocked';
      const source = sourceOf(p.sourceCodeLocation);
      return {
        code,
        type: p.contentSecurityPolicyViolationType,
        text: `Content Security Policy ${verb} ${kind}${p.blockedURL !== undefined ? ` (${p.blockedURL})` : ''}: directive ${p.violatedDirective}`,
        ...(p.blockedURL !== undefined ? { url: p.blockedURL } : {}),
        ...(source !== undefined ? { source } : {}),
      };
    }
    case 'DeprecationIssue': {
      const p = d.deprecationIssueDetails;
      if (p === undefined) break;
      const source = sourceOf(p.sourceCodeLocation);
      return { code, type: p.type, text: `Deprecated feature used: ${p.type}`, ...(source !== undefined ? { source } : {}) };
    }
    case 'CorsIssue': {
      const p = d.corsIssueDetails;
      if (p === undefined) break;
      const err = p.corsErrorStatus?.corsError ?? 'error';
      return {
        code,
        type: err,
        text: `CORS ${p.isWarning ? 'warning' : 'error'} (${err}${p.corsErrorStatus?.failedParameter ? `: ${p.corsErrorStatus.failedParameter}` : ''}): ${p.request?.url ?? ''}`,
        ...(p.request?.url !== undefined ? { url: p.request.url } : {}),
        ...(p.request?.requestId !== undefined ? { requestId: p.request.requestId } : {}),
      };
    }
    case 'BlockedByResponseIssue': {
      const p = d.blockedByResponseIssueDetails;
      if (p === undefined) break;
      return {
        code,
        type: p.reason,
        text: `Blocked by the response's headers (${p.reason}): ${p.request?.url ?? ''}`,
        ...(p.request?.url !== undefined ? { url: p.request.url } : {}),
        ...(p.request?.requestId !== undefined ? { requestId: p.request.requestId } : {}),
      };
    }
    case 'HeavyAdIssue': {
      const p = d.heavyAdIssueDetails;
      if (p === undefined) break;
      return { code, type: p.reason, text: `Heavy ad ${p.resolution === 'HeavyAdBlocked' ? 'removed' : 'warning'}: ${p.reason}` };
    }
    case 'QuirksModeIssue': {
      const p = d.quirksModeIssueDetails;
      if (p === undefined) break;
      return {
        code,
        type: p.isLimitedQuirksMode ? 'LimitedQuirksMode' : 'QuirksMode',
        text: `The page renders in ${p.isLimitedQuirksMode ? 'limited-quirks' : 'quirks'} mode: it lacks <!doctype html>`,
        url: p.url,
      };
    }
    case 'GenericIssue': {
      const p = d.genericIssueDetails;
      if (p === undefined) break;
      return {
        code,
        type: p.errorType,
        text: GENERIC_TEXTS[p.errorType] ?? p.errorType,
        ...(p.request?.url !== undefined ? { url: p.request.url } : {}),
        ...(p.violatingNodeId !== undefined ? { node: p.violatingNodeId } : {}),
        byKind: true,
      };
    }
    case 'ElementAccessibilityIssue': {
      const p = d.elementAccessibilityIssueDetails;
      if (p === undefined) break;
      return {
        code,
        type: p.elementAccessibilityIssueReason,
        text: `Element content not allowed: ${p.elementAccessibilityIssueReason}`,
        node: p.nodeId,
        byKind: true,
      };
    }
    case 'StylesheetLoadingIssue': {
      const p = d.stylesheetLoadingIssueDetails;
      if (p === undefined) break;
      const source = sourceOf(p.sourceCodeLocation);
      const failed = p.failedRequestInfo;
      return {
        code,
        type: p.styleSheetLoadingIssueReason,
        text:
          p.styleSheetLoadingIssueReason === 'LateImportRule'
            ? '@import after other rules is ignored'
            : `Stylesheet failed to load: ${failed?.url ?? ''}${failed?.failureMessage ? ` (${failed.failureMessage})` : ''}`,
        ...(failed?.url !== undefined ? { url: failed.url } : {}),
        ...(source !== undefined ? { source } : {}),
      };
    }
    case 'SharedArrayBufferIssue': {
      const p = d.sharedArrayBufferIssueDetails;
      if (p === undefined) break;
      const source = sourceOf(p.sourceCodeLocation);
      return { code, type: p.type, text: `SharedArrayBuffer needs cross-origin isolation (${p.type})`, ...(source !== undefined ? { source } : {}) };
    }
    case 'LazyLoadImageIssue':
    case 'PerformanceIssue':
    case 'CookieDeprecationMetadataIssue':
    case 'BounceTrackingIssue':
      // Hints Chrome reports per element or cookie, many at a time: one issue per kind.
      return { code, text: `${code.replace(/Issue$/, '')} hint`, byKind: true };
    default:
      break;
  }
  return genericReport(code, d);
}

/** Any other code: its name, the first string field that says what kind, and the request or source if it has one. */
function genericReport(code: string, d: Details): IssueReport {
  const inner = Object.values(d).find((v): v is Record<string, unknown> => typeof v === 'object' && v !== null);
  const kind = inner !== undefined ? Object.values(inner).find((v): v is string => typeof v === 'string') : undefined;
  const request = inner?.request as Protocol.Audits.AffectedRequest | undefined;
  const source = sourceOf(inner?.sourceCodeLocation as Location | undefined);
  return {
    code,
    ...(kind !== undefined ? { type: kind } : {}),
    text: `${code.replace(/Issue$/, '')}${kind !== undefined ? `: ${kind}` : ''}`,
    ...(typeof request?.url === 'string' ? { url: request.url } : {}),
    ...(typeof request?.requestId === 'string' ? { requestId: request.requestId } : {}),
    ...(source !== undefined ? { source } : {}),
  };
}

function groupKey(r: IssueReport, navigation: number): string {
  const resource = r.byKind === true ? '' : (r.url ?? (r.source !== undefined ? `${r.source.url}:${r.source.line ?? ''}:${r.source.column ?? ''}` : ''));
  return JSON.stringify([navigation, r.code, r.type ?? '', resource, r.byKind === true ? '' : (r.cookie ?? '')]);
}

function estimate(r: IssueRecord): number {
  return RECORD_OVERHEAD + r.text.length + (r.url?.length ?? 0) + (r.source?.url.length ?? 0) + (r.nodes?.length ?? 0) * 24;
}

/** Collects Chrome Issues; feed it CDP events with {@link IssueCollector.handle}. */
export class IssueCollector {
  readonly #buffer: RingBuffer<IssueRecord>;
  readonly #byKey = new Map<string, IssueRecord>();
  readonly #keyOf = new WeakMap<IssueRecord, string>();
  /** Exact reports of the current page load (code + details), to drop Chrome's verbatim repeats. */
  readonly #seen = new Set<string>();
  /** Issues dropped from the buffer, by page load. */
  readonly #droppedByNav = new Map<number, number>();
  readonly #navigationOf: ((requestId: string) => number | undefined) | undefined;
  readonly #now: () => number;
  #navigation = 0;
  #seq = 0;

  constructor(opts: IssueCollectorOptions) {
    this.#navigationOf = opts.navigationOf;
    this.#now = opts.now ?? Date.now;
    this.#buffer = new RingBuffer<IssueRecord>(opts.maxItems, opts.maxBytes, (r) => {
      const key = this.#keyOf.get(r);
      if (key !== undefined && this.#byKey.get(key) === r) this.#byKey.delete(key);
      this.#droppedByNav.set(r.navigation, (this.#droppedByNav.get(r.navigation) ?? 0) + 1);
      if (this.#droppedByNav.size > MAX_DROP_COUNTS) this.#droppedByNav.delete(this.#droppedByNav.keys().next().value as number);
    });
  }

  get navigation(): number {
    return this.#navigation;
  }

  /** Attributes issues reported from now on to page load `index` (as console messages, at the commit). */
  setNavigation(index: number): void {
    if (index !== this.#navigation) this.#seen.clear();
    this.#navigation = index;
  }

  /** Consumes one CDP event (Audits.issueAdded); returns the issue it was folded into, if any. */
  handle(method: string, params: unknown): IssueRecord | undefined {
    if (method !== 'Audits.issueAdded' || typeof params !== 'object' || params === null) return undefined;
    const issue = (params as Protocol.Audits.IssueAddedEvent).issue;
    if (typeof issue !== 'object' || issue === null) return undefined;
    const report = toReport(issue);
    if (report === undefined) return undefined;
    const navigation = (report.requestId !== undefined ? this.#navigationOf?.(report.requestId) : undefined) ?? this.#navigation;
    const exact = `${navigation}|${issue.code}|${JSON.stringify(issue.details)}`;
    if (this.#seen.has(exact)) return undefined;
    if (this.#seen.size < MAX_SEEN) this.#seen.add(exact);
    const key = groupKey(report, navigation);
    const now = this.#now();
    const existing = this.#byKey.get(key);
    if (existing !== undefined) {
      existing.count++;
      existing.lastTimestamp = now;
      if (report.node !== undefined) addNode(existing, report.node);
      this.#buffer.resize(existing, estimate(existing));
      return existing;
    }
    const record: IssueRecord = {
      id: `i${++this.#seq}`,
      code: report.code,
      ...(report.type !== undefined && report.type !== '' ? { type: clip(report.type, MAX_TEXT_CHARS) } : {}),
      text: clip(report.text, MAX_TEXT_CHARS),
      count: 1,
      ...(report.source !== undefined ? { source: report.source } : {}),
      ...(report.url !== undefined && report.url !== '' ? { url: clip(report.url, MAX_URL_CHARS) } : {}),
      ...(report.requestId !== undefined ? { requestId: report.requestId } : {}),
      ...(report.cookie !== undefined && report.byKind !== true ? { cookie: clip(report.cookie, MAX_TEXT_CHARS) } : {}),
      timestamp: now,
      navigation,
    };
    if (report.node !== undefined) addNode(record, report.node);
    this.#byKey.set(key, record);
    this.#keyOf.set(record, key);
    this.#buffer.push(record, estimate(record));
    return record;
  }

  /** Buffered issues, oldest first. */
  all(): IssueRecord[] {
    return this.#buffer.toArray();
  }

  /** Issues of page load `navigation`, oldest first. */
  of(navigation: number): IssueRecord[] {
    return this.all().filter((r) => r.navigation === navigation);
  }

  /** Issues of page load `navigation` no longer buffered (all page loads when undefined). */
  droppedOf(navigation?: number): number {
    return navigation === undefined ? this.#buffer.dropped : (this.#droppedByNav.get(navigation) ?? 0);
  }

  stats(): { count: number; dropped: number; bytes: number; maxItems: number; maxBytes: number } {
    return this.#buffer.stats();
  }
}

function addNode(record: IssueRecord, backendNodeId: number): void {
  const nodes = (record.nodes ??= []);
  if (nodes.length < MAX_NODES && !nodes.some((n) => n.backendNodeId === backendNodeId)) nodes.push({ backendNodeId });
}
