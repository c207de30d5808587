/**
 * The start options for a remote browser (`--chrome-ws-url`, `--cdp-header`, `--grid`, `--capabilities`), checked
 * before a daemon is spawned, and split into what the daemon's command line may show and what only its
 * environment may carry (header values, URLs with tokens or passwords, capabilities).
 */
import type { ParamsOf } from '../protocol/commands.js';
import { REMOTE_SECRETS_ENV, type DaemonConfig, type RemoteSecrets } from '../protocol/messages.js';
import { BdgError } from '../util/errors.js';
import { displayUrl, parseHeaders } from '../util/http.js';
import { parseGridUrl } from '../util/webdriver.js';

/** The largest --capabilities document accepted. */
const MAX_CAPABILITIES_BYTES = 64 * 1024;

export interface RemoteStart {
  /** Merged into the daemon's config. */
  config: Pick<DaemonConfig, 'chromeWsUrl' | 'grid' | 'cdpHeaderNames'>;
  /** The daemon's extra environment (empty without a remote browser). */
  env: Record<string, string>;
}

type RemoteParams = Pick<ParamsOf<'start'>, 'chromeWsUrl' | 'cdpHeader' | 'grid' | 'capabilities' | 'userDataDir' | 'port'>;

function parseCapabilities(raw: string): Record<string, unknown> {
  if (Buffer.byteLength(raw) > MAX_CAPABILITIES_BYTES) {
    throw new BdgError('INVALID_ARGUMENTS', `--capabilities is larger than ${MAX_CAPABILITIES_BYTES / 1024} KB`);
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw new BdgError(
      'INVALID_ARGUMENTS',
      `--capabilities is not valid JSON: ${(err as Error).message}`,
      `For example: --capabilities '{"browserVersion":"stable","se:name":"checkout"}'`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BdgError(
      'INVALID_ARGUMENTS',
      '--capabilities must be a JSON object of W3C capabilities',
      `For example: --capabilities '{"platformName":"linux"}'`,
    );
  }
  return value as Record<string, unknown>;
}

/** Checks the remote-browser options (exit 81 on a mistake) and splits them; nothing for a local launch. */
export function remoteStart(params: RemoteParams): RemoteStart {
  const headers = parseHeaders(params.cdpHeader ?? []);
  const names = Object.keys(headers);
  const secrets: RemoteSecrets = {};
  const config: RemoteStart['config'] = {};
  if (params.grid !== undefined) {
    if (params.chromeWsUrl !== undefined) {
      throw new BdgError(
        'INVALID_ARGUMENTS',
        '--grid and --chrome-ws-url cannot be combined',
        'Use --grid to have the Grid start Chrome, or --chrome-ws-url to attach to one.',
      );
    }
    for (const [given, flag] of [
      [params.userDataDir, '--user-data-dir'],
      [params.port !== 0 ? params.port : undefined, '--port'],
    ] as const) {
      if (given !== undefined) {
        throw new BdgError(
          'INVALID_ARGUMENTS',
          `${flag} does not apply to --grid`,
          'The Grid node chooses the profile and the port; pass Chrome options with --capabilities.',
        );
      }
    }
    parseGridUrl(params.grid);
    secrets.grid = params.grid;
    config.grid = displayUrl(params.grid);
    if (params.capabilities !== undefined) secrets.capabilities = parseCapabilities(params.capabilities);
  } else if (params.capabilities !== undefined) {
    throw new BdgError('INVALID_ARGUMENTS', '--capabilities needs --grid', 'Capabilities are what a Selenium Grid is asked for: add --grid http://host:4444.');
  }
  if (params.chromeWsUrl !== undefined) {
    secrets.chromeWsUrl = params.chromeWsUrl;
    config.chromeWsUrl = displayUrl(params.chromeWsUrl);
  }
  if (names.length > 0) {
    if (params.grid === undefined && params.chromeWsUrl === undefined) {
      throw new BdgError(
        'INVALID_ARGUMENTS',
        '--cdp-header needs --chrome-ws-url or --grid',
        'Headers are sent to a remote browser; a Chrome bdg launches needs none.',
      );
    }
    secrets.headers = headers;
    config.cdpHeaderNames = names;
  }
  return { config, env: Object.keys(secrets).length > 0 ? { [REMOTE_SECRETS_ENV]: JSON.stringify(secrets) } : {} };
}
