/** The protocol JSON's shapes as `devtools-protocol` ships them, and the summaries the schema index hands out. */

/** A parameter, return value or object property as the protocol JSON declares it. */
export interface PropertyJson {
  name: string;
  description?: string;
  optional?: boolean;
  type?: string;
  $ref?: string;
  items?: { type?: string; $ref?: string };
  enum?: string[];
  experimental?: boolean;
  deprecated?: boolean;
}

export interface TypeJson {
  id: string;
  description?: string;
  type: string;
  enum?: string[];
  properties?: PropertyJson[];
  items?: { type?: string; $ref?: string };
  experimental?: boolean;
  deprecated?: boolean;
}

export interface MemberJson {
  name: string;
  description?: string;
  experimental?: boolean;
  deprecated?: boolean;
  parameters?: PropertyJson[];
  returns?: PropertyJson[];
  redirect?: string;
}

export interface DomainJson {
  domain: string;
  description?: string;
  experimental?: boolean;
  deprecated?: boolean;
  dependencies?: string[];
  types?: TypeJson[];
  commands?: MemberJson[];
  events?: MemberJson[];
}

export interface ProtocolJson {
  version?: { major: string; minor: string };
  domains: DomainJson[];
}

export type MemberKind = 'command' | 'event';

/** A method or an event, with its canonical `Domain.name`. */
export interface MemberEntry {
  kind: MemberKind;
  domain: string;
  name: string;
  def: MemberJson;
}

export interface TypeEntry {
  domain: string;
  name: string;
  def: TypeJson;
}

export interface DomainSummary {
  name: string;
  description: string;
  commands: number;
  events: number;
  experimental: boolean;
  deprecated: boolean;
}

export interface MemberSummary {
  name: string;
  description: string;
  experimental: boolean;
  deprecated: boolean;
}

export interface ParamDoc {
  name: string;
  type: string;
  optional: boolean;
  description: string;
  enum?: string[];
  experimental?: boolean;
  deprecated?: boolean;
}

export interface Description {
  kind: MemberKind | 'type';
  name: string;
  domain: string;
  description: string;
  experimental: boolean;
  deprecated: boolean;
  /** Commands: where `bdg cdp` sends it by default. */
  target?: 'page' | 'browser';
  parameters?: ParamDoc[];
  returns?: ParamDoc[];
  /** Types: the underlying JSON type, its enum values or properties. */
  type?: string;
  enum?: string[];
  properties?: ParamDoc[];
  redirect?: string;
  example?: string;
}

export interface SearchHit {
  kind: MemberKind;
  name: string;
  description: string;
  score: number;
  experimental: boolean;
  deprecated: boolean;
}

/** What a value must be: a property, an array's items, or a type definition. */
export interface ValueSpec {
  type?: string;
  $ref?: string;
  items?: { type?: string; $ref?: string };
  enum?: string[];
  properties?: PropertyJson[];
}
