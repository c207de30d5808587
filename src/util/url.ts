import { BdgError } from './errors.js';

const LOCAL_HOSTS = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|0\.0\.0\.0)(:\d+)?(\/|$|\?|#)/i;

/**
 * Turns what a user typed into a URL Chrome can open: bare `localhost:3000` -> http, bare `example.com` -> https,
 * explicit schemes kept. Rejects what is clearly not a URL instead of letting Chrome show an error page.
 */
export function normalizeUrl(input: string): string {
  const raw = input.trim();
  if (raw === '') throw new BdgError('INVALID_URL', 'The URL is empty', 'Pass a URL such as localhost:3000 or https://example.com.');
  if (/\s/.test(raw))
    throw new BdgError('INVALID_URL', `Invalid URL "${input}": it contains white space`, 'Quote the URL and remove spaces (encode them as %20).');
  const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(raw) && !/^[^/:]+:\d+(\/|$|\?|#)/.test(raw);
  let candidate: string;
  if (hasScheme) candidate = raw;
  else if (raw.startsWith('//')) candidate = `https:${raw}`;
  else if (LOCAL_HOSTS.test(raw)) candidate = `http://${raw}`;
  else candidate = `https://${raw}`;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    throw new BdgError('INVALID_URL', `Invalid URL "${input}"`, 'Pass a URL such as localhost:3000, example.com or https://example.com/path.');
  }
  const allowed = ['http:', 'https:', 'file:', 'about:', 'data:', 'chrome:'];
  if (!allowed.includes(url.protocol)) {
    throw new BdgError('INVALID_URL', `Unsupported URL scheme "${url.protocol}" in "${input}"`, `Use one of: ${allowed.join(' ')}`);
  }
  if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname === '') {
    throw new BdgError('INVALID_URL', `Invalid URL "${input}": no host`, 'Pass a URL such as localhost:3000 or https://example.com.');
  }
  if ((url.protocol === 'http:' || url.protocol === 'https:') && !hasScheme && !isPlausibleHost(url.hostname)) {
    throw new BdgError(
      'INVALID_URL',
      `Invalid URL "${input}": "${url.hostname}" is not a host name`,
      'Pass a URL such as localhost:3000 or https://example.com.',
    );
  }
  return url.href;
}

function isPlausibleHost(host: string): boolean {
  if (host === 'localhost' || host.startsWith('[')) return true;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return true;
  // A bare word such as "foo" is more likely a typo of a command than a host; require a dot.
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(host);
}
