declare const __BDG_VERSION__: string | undefined;

/** The package version, injected by the bundler; `0.0.0-dev` when running unbundled (tests of modules). */
export const VERSION: string = typeof __BDG_VERSION__ === 'string' ? __BDG_VERSION__ : '0.0.0-dev';

/**
 * The socket protocol's version. A CLI and a daemon with different versions refuse each other's requests with a
 * clear message instead of misreading them.
 */
// 2: requests may ask for an ack frame before the answer (a daemon of protocol 1 would never send it).
export const PROTOCOL_VERSION = 2;
