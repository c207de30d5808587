/**
 * The Chrome DevTools Protocol schema as an index: case-insensitive lookup of domains, methods, events and types,
 * "did you mean" suggestions, ranked search, descriptions with example command lines, and params validation.
 * Everything here is pure over the protocol JSON; {@link loadCdpSchema} reads that JSON (about 1.6 MB) from the
 * `devtools-protocol` package at run time, so neither bundle carries it and only cdp commands pay for parsing it.
 *
 * About 420 lines: one index whose lookups, suggestions, search and descriptions all read the same maps. The
 * shapes live in cdpSchemaTypes.ts and the params checker in cdpParamsCheck.ts.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { BdgError } from '../util/errors.js';
import { checkCdpParams } from './cdpParamsCheck.js';
import type {
  DomainJson,
  DomainSummary,
  MemberEntry,
  MemberJson,
  MemberKind,
  MemberSummary,
  ParamDoc,
  PropertyJson,
  ProtocolJson,
  SearchHit,
  Description,
  TypeEntry,
  ValueSpec,
} from './cdpSchemaTypes.js';
import { editDistance } from './validate.js';

export type {
  DomainJson,
  DomainSummary,
  MemberEntry,
  MemberJson,
  MemberKind,
  MemberSummary,
  ParamDoc,
  PropertyJson,
  ProtocolJson,
  SearchHit,
  Description,
  TypeJson,
} from './cdpSchemaTypes.js';

/** Domains whose methods belong to the browser connection rather than a page's session. */
export const BROWSER_DOMAINS: ReadonlySet<string> = new Set(['Browser', 'Target', 'SystemInfo', 'Tethering']);

const BROWSER_DOMAINS_LOWER: ReadonlySet<string> = new Set([...BROWSER_DOMAINS].map((d) => d.toLowerCase()));

/** Where a method goes when `--target auto`; the name may be in any case, as users type it (`browser.getVersion`). */
export function cdpTargetFor(method: string): 'page' | 'browser' {
  return BROWSER_DOMAINS_LOWER.has((method.split('.')[0] ?? '').toLowerCase()) ? 'browser' : 'page';
}

/** A description folded onto one line and cut at its first sentence (the protocol wraps its text at 80 columns). */
export function oneLine(text: string | undefined, max = 110): string {
  if (text === undefined) return '';
  const flat = text.replace(/\s+/g, ' ').trim();
  const sentence = /^(.+?[.!?])(\s|$)/.exec(flat)?.[1] ?? flat;
  return sentence.length > max ? `${sentence.slice(0, max - 1)}…` : sentence;
}

/** Quotes one word for a POSIX shell, only when it needs it. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function split(name: string): [string, string | undefined] {
  const dot = name.indexOf('.');
  return dot === -1 ? [name, undefined] : [name.slice(0, dot), name.slice(dot + 1)];
}

function unlistedWarning(method: string, version: string): string {
  return `${method} is not in the bundled protocol (CDP ${version}); sending it to Chrome as typed`;
}

/** The protocol schema, indexed. Build one with {@link loadCdpSchema}, or directly from protocol JSON in tests. */
export class CdpSchema {
  readonly version: string;
  readonly #domains = new Map<string, DomainJson>();
  readonly #members = new Map<string, MemberEntry>();
  readonly #types = new Map<string, TypeEntry>();
  readonly #commandNames: string[] = [];
  readonly #eventNames: string[] = [];

  constructor(protocols: readonly ProtocolJson[]) {
    const v = protocols[0]?.version;
    this.version = v !== undefined ? `${v.major}.${v.minor}` : 'unknown';
    for (const p of protocols) {
      for (const d of p.domains) {
        this.#domains.set(d.domain.toLowerCase(), d);
        for (const c of d.commands ?? []) this.#addMember('command', d.domain, c);
        for (const e of d.events ?? []) this.#addMember('event', d.domain, e);
        for (const t of d.types ?? []) this.#types.set(`${d.domain}.${t.id}`.toLowerCase(), { domain: d.domain, name: `${d.domain}.${t.id}`, def: t });
      }
    }
    this.#commandNames.sort();
    this.#eventNames.sort();
  }

  #addMember(kind: MemberKind, domain: string, def: MemberJson): void {
    const name = `${domain}.${def.name}`;
    // Method, event and type names never collide case-insensitively in the protocol; keys carry the kind anyway.
    this.#members.set(`${kind}:${name.toLowerCase()}`, { kind, domain, name, def });
    (kind === 'command' ? this.#commandNames : this.#eventNames).push(name);
  }

  get commandCount(): number {
    return this.#commandNames.length;
  }
  get eventCount(): number {
    return this.#eventNames.length;
  }

  domains(): DomainSummary[] {
    return [...this.#domains.values()]
      .map((d) => ({
        name: d.domain,
        description: oneLine(d.description),
        commands: d.commands?.length ?? 0,
        events: d.events?.length ?? 0,
        experimental: d.experimental === true,
        deprecated: d.deprecated === true,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  domain(name: string): DomainJson | undefined {
    return this.#domains.get(name.toLowerCase());
  }

  command(name: string): MemberEntry | undefined {
    return this.#members.get(`command:${name.toLowerCase()}`);
  }

  event(name: string): MemberEntry | undefined {
    return this.#members.get(`event:${name.toLowerCase()}`);
  }

  /** A type by `Domain.Type`, or by `Type` relative to `domain` (as `$ref`s are written). */
  type(name: string, domain?: string): TypeEntry | undefined {
    const qualified = name.includes('.') || domain === undefined ? name : `${domain}.${name}`;
    return this.#types.get(qualified.toLowerCase());
  }

  /** Up to `max` known names closest to `input`: a typo, the wrong case, the right method in the wrong domain. */
  suggest(input: string, kind: MemberKind | 'domain' = 'command', max = 3): string[] {
    const names = kind === 'domain' ? [...this.#domains.values()].map((d) => d.domain) : kind === 'command' ? this.#commandNames : this.#eventNames;
    const lower = input.toLowerCase();
    const [inDomain, inMember] = split(lower);
    const scored: { name: string; score: number }[] = [];
    for (const name of names) {
      const candidate = name.toLowerCase();
      const [cDomain, cMember] = split(candidate);
      let score = editDistance(lower, candidate);
      const limit = Math.max(2, Math.floor((cMember ?? candidate).length / 3));
      if (cMember !== undefined) {
        if (inMember === undefined) {
          // `evaluate` alone: compare with the method part of every name.
          score = Math.min(score, editDistance(lower, cMember) + 0.5, cMember.startsWith(lower) && lower.length >= 3 ? 1 : Infinity);
        } else if (cDomain === inDomain) {
          score = Math.min(score, editDistance(inMember, cMember), cMember.startsWith(inMember) && inMember.length >= 3 ? 0.5 : Infinity);
        } else {
          const domainClose = editDistance(inDomain, cDomain) <= 2;
          score = Math.min(score, cMember === inMember ? (domainClose ? 0.75 : 1) : Infinity, domainClose ? editDistance(inMember, cMember) + 1 : Infinity);
        }
      }
      if (score <= limit) scored.push({ name, score });
    }
    return scored
      .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
      .slice(0, max)
      .map((s) => s.name);
  }

  /** The command named (any case), or INVALID_ARGUMENTS with suggestions and pointers to discovery. */
  resolveCommand(name: string): MemberEntry {
    const entry = this.command(name);
    if (entry !== undefined) return entry;
    const [domainPart, memberPart] = split(name);
    const event = this.event(name);
    if (event !== undefined) {
      throw new BdgError('INVALID_ARGUMENTS', `${event.name} is an event, not a method`, `Read the events the session saw: bdg cdp --events ${event.name}`, {
        event: event.name,
      });
    }
    const domain = this.domain(domainPart);
    if (memberPart === undefined && domain !== undefined) {
      throw new BdgError('INVALID_ARGUMENTS', `"${name}" is a domain; a method is Domain.method`, `List its methods: bdg cdp ${domain.domain} --list`, {
        domain: domain.domain,
      });
    }
    const suggestions = this.suggest(name, 'command');
    const where = domain !== undefined ? `bdg cdp ${domain.domain} --list` : 'bdg cdp --list';
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `Unknown CDP method "${name}"`,
      `${suggestions.length > 0 ? `Did you mean: ${suggestions.join(', ')}? ` : ''}Browse with \`${where}\` or \`bdg cdp --search ${shellQuote(memberPart ?? domainPart)}\`.`,
      { suggestions },
    );
  }

  /** An event name (any case) or a domain name (all its events); INVALID_ARGUMENTS with suggestions otherwise. */
  resolveEventFilter(name: string): { event: string } | { domain: string } {
    const event = this.event(name);
    if (event !== undefined) return { event: event.name };
    const [domainPart, memberPart] = split(name);
    const domain = this.domain(domainPart);
    if (memberPart === undefined && domain !== undefined) return { domain: domain.domain };
    const command = this.command(name);
    if (command !== undefined) {
      throw new BdgError(
        'INVALID_ARGUMENTS',
        `${command.name} is a method, not an event`,
        `Send it: bdg cdp ${command.name}; list the events: bdg cdp ${command.domain} --list`,
      );
    }
    const suggestions = this.suggest(name, memberPart === undefined ? 'domain' : 'event');
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `Unknown CDP event "${name}"`,
      `${suggestions.length > 0 ? `Did you mean: ${suggestions.join(', ')}? ` : ''}Events are listed by \`bdg cdp ${domain?.domain ?? '<Domain>'} --list\`.`,
      { suggestions },
    );
  }

  /**
   * How `bdg cdp` treats a name the schema may not know, as the original bdg does: the bundled protocol follows
   * Chromium's tip of tree, so the user's Chrome can have methods and events it lacks. A well-formed `Domain.member`
   * that is close to no known name (at most 1 edit for parts of up to 5 letters, else 2, per part) is `unlisted` and
   * used as typed (a known domain recased); one that is close is a `typo`, with suggestions.
   */
  classify(name: string, kind: MemberKind): { kind: 'known' | 'unlisted' | 'typo'; name: string } | { kind: 'malformed' } {
    if (!/^[A-Za-z][A-Za-z0-9]*\.[A-Za-z][A-Za-z0-9]*$/.test(name)) return { kind: 'malformed' };
    const known = kind === 'command' ? this.command(name) : this.event(name);
    if (known !== undefined) return { kind: 'known', name: known.name };
    const [domainPart, memberPart] = split(name) as [string, string];
    const close = (a: string, b: string): boolean => {
      const d = editDistance(a.toLowerCase(), b.toLowerCase());
      return d > 0 && d <= (a.length <= 5 ? 1 : 2);
    };
    const domain = this.domain(domainPart);
    if (domain !== undefined) {
      const members = (kind === 'command' ? domain.commands : domain.events) ?? [];
      const typo = members.some((m) => close(memberPart, m.name));
      return { kind: typo ? 'typo' : 'unlisted', name: `${domain.domain}.${memberPart}` };
    }
    const typo = [...this.#domains.values()].some((d) => close(domainPart, d.domain));
    return { kind: typo ? 'typo' : 'unlisted', name };
  }

  /**
   * The method `bdg cdp <name>` sends: a known one by its canonical name; one the schema lacks as typed with a
   * warning, unless it looks like a typo of a known one (INVALID_ARGUMENTS with "did you mean", or sent as typed
   * with `sendAnyway`). Events, types, domains and names that are not `Domain.method` are refused.
   */
  resolveSendMethod(name: string, sendAnyway: boolean): { method: string; warning?: string } {
    const c = this.classify(name, 'command');
    if (c.kind === 'known') return { method: c.name };
    const typeEntry = this.type(name);
    if (typeEntry !== undefined && this.event(name) === undefined) {
      throw new BdgError('INVALID_ARGUMENTS', `${typeEntry.name} is a type, not a method`, `Describe it: bdg cdp ${typeEntry.name} --describe`);
    }
    if (c.kind === 'unlisted' && this.event(name) === undefined) return { method: c.name, warning: unlistedWarning(c.name, this.version) };
    if (c.kind === 'typo' && sendAnyway) return { method: c.name, warning: unlistedWarning(c.name, this.version) };
    try {
      this.resolveCommand(name);
    } catch (err) {
      if (c.kind === 'typo' && err instanceof BdgError && err.hint !== undefined)
        throw new BdgError(err.code, err.message, `${err.hint} Or send it as typed: bdg cdp ${c.name} --send-anyway`, err.data);
      throw err;
    }
    throw new BdgError('SOFTWARE_ERROR', `resolveCommand accepted ${name}`);
  }

  /**
   * Event names for `--listen`, `--collect`, `--until` and `--events`: comma-separated, each a known event (any case),
   * a domain (all of its events; not for `--until`), or an event the schema lacks (used as typed, with a warning).
   * A close typo of a known event, a method and a malformed name are INVALID_ARGUMENTS with suggestions.
   */
  resolveEventNames(list: string, opts: { domains?: boolean } = {}): { events: string[]; warning?: string } {
    const names = list
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== '');
    if (names.length === 0) throw new BdgError('INVALID_ARGUMENTS', 'No event name given', 'For example: Network.requestWillBeSent,Page.loadEventFired');
    const events: string[] = [];
    const unlisted: string[] = [];
    for (const name of names) {
      const c = this.classify(name, 'event');
      let resolved: string;
      if (c.kind === 'known') resolved = c.name;
      else if (c.kind === 'unlisted' && this.command(name) === undefined) {
        resolved = c.name;
        unlisted.push(c.name);
      } else if (opts.domains !== false && !name.includes('.') && this.domain(name) !== undefined) resolved = (this.domain(name) as DomainJson).domain;
      else {
        const r = this.resolveEventFilter(name); // throws with suggestions for typos, methods and malformed names
        if ('domain' in r)
          throw new BdgError('INVALID_ARGUMENTS', `${name} is a domain; one event is Domain.event`, `The events of ${r.domain}: bdg cdp ${r.domain} --list`);
        resolved = r.event;
      }
      if (!events.includes(resolved)) events.push(resolved);
    }
    return unlisted.length === 0
      ? { events }
      : {
          events,
          warning: `${unlisted.join(', ')} ${unlisted.length === 1 ? 'is not an event' : 'are not events'} in the bundled protocol (CDP ${this.version}); listening for ${unlisted.length === 1 ? 'it' : 'them'} as typed`,
        };
  }

  /** A domain (any case), or INVALID_ARGUMENTS with suggestions. */
  resolveDomain(name: string): DomainJson {
    const domain = this.domain(name);
    if (domain !== undefined) return domain;
    const suggestions = this.suggest(name, 'domain');
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `Unknown CDP domain "${name}"`,
      `${suggestions.length > 0 ? `Did you mean: ${suggestions.join(', ')}? ` : ''}See \`bdg cdp --list\`.`,
      { suggestions },
    );
  }

  listDomain(name: string): {
    domain: string;
    description: string;
    experimental: boolean;
    deprecated: boolean;
    dependencies: string[];
    commands: MemberSummary[];
    events: MemberSummary[];
  } {
    const d = this.resolveDomain(name);
    const summary = (m: MemberJson): MemberSummary => ({
      name: `${d.domain}.${m.name}`,
      description: oneLine(m.description),
      experimental: m.experimental === true,
      deprecated: m.deprecated === true,
    });
    return {
      domain: d.domain,
      description: oneLine(d.description, 400),
      experimental: d.experimental === true,
      deprecated: d.deprecated === true,
      dependencies: d.dependencies ?? [],
      commands: (d.commands ?? []).map(summary),
      events: (d.events ?? []).map(summary),
    };
  }

  /** Human-readable type of a property: `string`, `Runtime.ExecutionContextId (integer)`, `array of Network.Cookie`. */
  typeName(spec: ValueSpec, domain: string): string {
    if (spec.$ref !== undefined) {
      const t = this.type(spec.$ref, domain);
      if (t === undefined) return spec.$ref;
      return t.def.type === 'object' ? t.name : `${t.name} (${t.def.type === 'array' ? this.typeName(t.def, t.domain) : t.def.type})`;
    }
    if (spec.type === 'array' && spec.items !== undefined) return `array of ${this.typeName(spec.items, domain)}`;
    return spec.type ?? 'any';
  }

  #paramDoc(p: PropertyJson, domain: string): ParamDoc {
    const doc: ParamDoc = {
      name: p.name,
      type: this.typeName(p, domain),
      optional: p.optional === true,
      description: (p.description ?? '').replace(/\s+/g, ' ').trim(),
    };
    const values = p.enum ?? (p.$ref !== undefined ? this.type(p.$ref, domain)?.def.enum : undefined);
    if (values !== undefined) doc.enum = values;
    if (p.experimental === true) doc.experimental = true;
    if (p.deprecated === true) doc.deprecated = true;
    return doc;
  }

  /** Everything about a method, event or type; INVALID_ARGUMENTS with suggestions when the name is unknown. */
  describe(name: string): Description {
    const member = this.command(name) ?? this.event(name);
    if (member !== undefined) {
      const d = member.def;
      const out: Description = {
        kind: member.kind,
        name: member.name,
        domain: member.domain,
        description: (d.description ?? '').replace(/\s+/g, ' ').trim(),
        experimental: d.experimental === true,
        deprecated: d.deprecated === true,
      };
      if (member.kind === 'command') out.target = cdpTargetFor(member.name);
      out.parameters = (d.parameters ?? []).map((p) => this.#paramDoc(p, member.domain));
      if (member.kind === 'command') out.returns = (d.returns ?? []).map((p) => this.#paramDoc(p, member.domain));
      if (d.redirect !== undefined) out.redirect = d.redirect;
      out.example = member.kind === 'command' ? this.example(member) : `bdg cdp --events ${member.name}`;
      return out;
    }
    const t = this.type(name);
    if (t !== undefined) {
      const out: Description = {
        kind: 'type',
        name: t.name,
        domain: t.domain,
        description: (t.def.description ?? '').replace(/\s+/g, ' ').trim(),
        experimental: t.def.experimental === true,
        deprecated: t.def.deprecated === true,
        type: t.def.type === 'array' ? this.typeName(t.def, t.domain) : t.def.type,
      };
      if (t.def.enum !== undefined) out.enum = t.def.enum;
      if (t.def.properties !== undefined) out.properties = t.def.properties.map((p) => this.#paramDoc(p, t.domain));
      return out;
    }
    return this.resolveCommand(name) as never; // throws with suggestions (or says it is a domain)
  }

  /** A command line that sends the method with placeholder values for its required parameters. */
  example(member: MemberEntry): string {
    const required = (member.def.parameters ?? []).filter((p) => p.optional !== true);
    if (required.length === 0) return `bdg cdp ${member.name}`;
    const params: Record<string, unknown> = {};
    for (const p of required) params[p.name] = this.#placeholder(p, member.domain, 0);
    return `bdg cdp ${member.name} --params ${shellQuote(JSON.stringify(params))}`;
  }

  #placeholder(spec: ValueSpec, domain: string, depth: number): unknown {
    if (spec.$ref !== undefined) {
      const t = this.type(spec.$ref, domain);
      return t === undefined || depth > 3 ? null : this.#placeholder(t.def, t.domain, depth + 1);
    }
    if (spec.enum !== undefined && spec.enum.length > 0) return spec.enum[0];
    switch (spec.type) {
      case 'string':
        return '…';
      case 'integer':
      case 'number':
        return 0;
      case 'boolean':
        return false;
      case 'array':
        return [];
      case 'object': {
        const out: Record<string, unknown> = {};
        for (const p of spec.properties ?? []) if (p.optional !== true) out[p.name] = this.#placeholder(p, domain, depth + 1);
        return out;
      }
      default:
        return null;
    }
  }

  /**
   * Methods and events whose name or description contains every word of the query, best first: a name equal to a
   * word beats a name starting with it, which beats a name containing it, which beats a mention in the description.
   */
  search(query: string, opts: { limit?: number; domain?: string } = {}): { query: string; total: number; results: SearchHit[] } {
    const words = query
      .toLowerCase()
      .split(/\s+/)
      .filter((w) => w !== '');
    if (words.length === 0) throw new BdgError('INVALID_ARGUMENTS', 'Nothing to search for', 'Give a word: bdg cdp --search cookie');
    const hits: SearchHit[] = [];
    const only = opts.domain?.toLowerCase();
    for (const entry of this.#members.values()) {
      if (only !== undefined && entry.domain.toLowerCase() !== only) continue;
      const [domain, member] = [entry.domain.toLowerCase(), entry.def.name.toLowerCase()];
      const description = (entry.def.description ?? '').toLowerCase();
      let score = 0;
      for (const w of words) {
        let s = 0;
        if (member === w) s = 100;
        else if (member.startsWith(w)) s = 60;
        else if (member.includes(w)) s = 40;
        else if (domain === w) s = 30;
        else if (domain.includes(w)) s = 20;
        else if (new RegExp(`\\b${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).test(description)) s = 10;
        else if (description.includes(w)) s = 5;
        if (s === 0) {
          score = 0;
          break;
        }
        score += s;
      }
      if (score === 0) continue;
      // Most searches look for something to send: a method outranks an event that matches as well.
      if (entry.kind === 'event') score -= 20;
      if (entry.def.deprecated === true) score -= 8;
      if (entry.def.experimental === true) score -= 2;
      hits.push({
        kind: entry.kind,
        name: entry.name,
        description: oneLine(entry.def.description),
        score,
        experimental: entry.def.experimental === true,
        deprecated: entry.def.deprecated === true,
      });
    }
    hits.sort((a, b) => b.score - a.score || (a.kind === b.kind ? 0 : a.kind === 'command' ? -1 : 1) || a.name.localeCompare(b.name));
    return { query, total: hits.length, results: hits.slice(0, opts.limit ?? 20) };
  }

  /** Problems with `params` for a method: missing required ones, unknown names, wrong JSON types, values outside an enum. */
  checkParams(member: MemberEntry, params: Record<string, unknown>): string[] {
    return checkCdpParams(member, params, { type: (ref, domain) => this.type(ref, domain), typeName: (spec, domain) => this.typeName(spec, domain) });
  }

  /** Throws INVALID_ARGUMENTS naming every problem (up to ten), with a pointer to `--describe`. */
  assertParams(member: MemberEntry, params: Record<string, unknown>): void {
    const problems = this.checkParams(member, params);
    if (problems.length === 0) return;
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `Invalid params for ${member.name}: ${problems.join('; ')}`,
      `See its parameters: bdg cdp ${member.name} --describe (or send anyway with --no-validate)`,
      { method: member.name, problems },
    );
  }
}

/**
 * Reads `--params` text: one JSON object (absent = `{}`). INVALID_ARGUMENTS with the parser's complaint and a
 * pointer to `--describe` otherwise.
 */
export function parseParamsJson(text: string | undefined, method: string): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `--params is not valid JSON: ${(err as Error).message}`,
      `Give one JSON object in single quotes, e.g. --params '{"key":"value"}'; the parameters: bdg cdp ${method} --describe`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `--params must be a JSON object (got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value})`,
      `The parameters: bdg cdp ${method} --describe`,
    );
  }
  return value as Record<string, unknown>;
}

/**
 * A method and its `--params` as `bdg cdp` sends them, resolved the same way by the CLI (to answer mistakes
 * without a session) and the daemon (which checks again): the canonical name for any spelling of a known method,
 * the params parsed, and both validated against the schema. A name the schema lacks goes out as typed with a
 * warning unless it looks like a typo of a known one (then only with `sendAnyway`). With `validate` false any name
 * goes out as given and no params are checked.
 */
export function resolveCdpCall(
  schema: CdpSchema,
  asked: string,
  paramsJson: string | undefined,
  validate: boolean,
  sendAnyway = false,
): { method: string; params: Record<string, unknown>; warning?: string } {
  const known = schema.command(asked);
  if (known === undefined && validate) {
    const { method, warning } = schema.resolveSendMethod(asked, sendAnyway); // throws for typos, events, types
    return { method, params: parseParamsJson(paramsJson, method), ...(warning !== undefined ? { warning } : {}) };
  }
  const method = known?.name ?? asked;
  const params = parseParamsJson(paramsJson, method);
  if (known !== undefined && validate) schema.assertParams(known, params);
  return { method, params };
}

const PROTOCOL_FILES = ['devtools-protocol/json/browser_protocol.json', 'devtools-protocol/json/js_protocol.json'];
let loading: Promise<CdpSchema> | undefined;

/**
 * Paths of the protocol JSON files of the installed `devtools-protocol` package, found through Node's module
 * resolution from this file, so it works from the tsc build, the bundled dist/ and an npm install. Synchronous
 * (module resolution stats files): the daemon calls it while starting, not while serving.
 */
export function resolveCdpSchemaFiles(): string[] {
  const resolver = createRequire(import.meta.url);
  try {
    return PROTOCOL_FILES.map((f) => resolver.resolve(f));
  } catch (err) {
    throw new BdgError(
      'SOFTWARE_ERROR',
      `Cannot find the CDP schema (devtools-protocol package): ${(err as Error).message.split('\n')[0] ?? ''}`,
      'Reinstall bdg (npm ci) so its devtools-protocol dependency is present.',
    );
  }
}

/** The protocol schema, read (asynchronously) and indexed once per process. */
export function loadCdpSchema(files?: readonly string[]): Promise<CdpSchema> {
  loading ??= (async () => {
    files ??= resolveCdpSchemaFiles();
    const protocols = await Promise.all(files.map(async (f) => JSON.parse(await readFile(f, 'utf8')) as ProtocolJson));
    return new CdpSchema(protocols);
  })();
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}
