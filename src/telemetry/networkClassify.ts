/**
 * What kind of request a URL or MIME type is: analytics/ad hosts bdg does not record by default, and the text-like
 * types whose bodies are worth keeping.
 */

/**
 * Analytics and ad hosts whose requests are not recorded by default. Matched exactly or as a parent domain
 * (`www.google-analytics.com`), never by substring. Only hosts that serve nothing but tracking/ads are listed, so
 * an app's own requests are never hidden.
 */
const TRACKING_HOSTS: ReadonlySet<string> = new Set([
  'google-analytics.com',
  'analytics.google.com',
  'googletagmanager.com',
  'googletagservices.com',
  'doubleclick.net',
  'googlesyndication.com',
  'googleadservices.com',
  'adservice.google.com',
  'connect.facebook.net',
  'hotjar.com',
  'hotjar.io',
  'api.segment.io',
  'cdn.segment.com',
  'mixpanel.com',
  'amplitude.com',
  'fullstory.com',
  'clarity.ms',
  'js-agent.newrelic.com',
  'nr-data.net',
  'bat.bing.com',
  'static.ads-twitter.com',
  'analytics.tiktok.com',
  'snap.licdn.com',
  'px.ads.linkedin.com',
  'amazon-adsystem.com',
  'adnxs.com',
  'criteo.com',
  'criteo.net',
  'taboola.com',
  'outbrain.com',
  'scorecardresearch.com',
  'quantserve.com',
  'heapanalytics.com',
  'mouseflow.com',
  'crazyegg.com',
]);

/**
 * True when `host` (a hostname, optionally with `:port`) is one of the built-in analytics/ad hosts or a subdomain
 * of one. `facebook.com` and `notdoubleclick.net` are not tracking hosts.
 */
export function isTrackingHost(host: string): boolean {
  let h = host.trim().toLowerCase();
  if (/:\d+$/.test(h) && !h.includes(']')) h = h.slice(0, h.lastIndexOf(':'));
  if (h.endsWith('.')) h = h.slice(0, -1);
  // Check the host and each parent domain: a.b.doubleclick.net, b.doubleclick.net, doubleclick.net, net.
  for (let suffix = h; suffix !== '';) {
    if (TRACKING_HOSTS.has(suffix)) return true;
    const dot = suffix.indexOf('.');
    if (dot < 0) break;
    suffix = suffix.slice(dot + 1);
  }
  return false;
}

const TEXT_SUBTYPES: ReadonlySet<string> = new Set([
  'json',
  'javascript',
  'x-javascript',
  'ecmascript',
  'x-ecmascript',
  'xml',
  'x-www-form-urlencoded',
  'graphql',
  'x-ndjson',
  'ndjson',
  'jsonl',
  'json5',
  'yaml',
  'x-yaml',
  'csv',
  'sql',
  'x-sh',
  'xhtml',
]);

/**
 * True for MIME types whose bodies are text worth showing: `text/*`, JSON, JavaScript, XML (SVG included), form
 * data, GraphQL, YAML and any `+json`/`+xml` type. Parameters (`; charset=utf-8`) are ignored.
 */
export function isTextMimeType(mime: string): boolean {
  const essence = (mime.split(';')[0] ?? '').trim().toLowerCase();
  const slash = essence.indexOf('/');
  if (slash <= 0) return false;
  const type = essence.slice(0, slash);
  const subtype = essence.slice(slash + 1);
  if (type === 'text') return true;
  if (subtype.endsWith('+json') || subtype.endsWith('+xml')) return true;
  return (type === 'application' || type === 'image') && (TEXT_SUBTYPES.has(subtype) || (type === 'application' && subtype.startsWith('graphql')));
}

export function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}
