/**
 * `network throttle`: emulated network conditions on the page's session (Network.emulateNetworkConditions), kept
 * in the daemon so `status` can show them and a newly selected tab gets them too. They stay in force across
 * navigations (they belong to the session, not the document).
 *
 * The presets are Chrome DevTools' (front_end/core/sdk/NetworkManager.ts): DevTools renamed its "Fast 3G" to
 * "Slow 4G" in 2024 (crbug.com/342406608), so fast-3g and slow-4g are the same conditions.
 */
import type { SessionSend } from '../cdp/connection.js';
import type { ThrottleState } from '../protocol/commands/network.js';
import { BdgError } from '../util/errors.js';

/** Speeds in kbit/s (DevTools' bytes per second × 8 / 1000) and latency in ms. */
export const THROTTLE_PRESETS: Readonly<Record<string, Omit<ThrottleState, 'preset'>>> = {
  offline: { offline: true, downloadKbps: 0, uploadKbps: 0, latencyMs: 0 },
  // DevTools "3G" (formerly "Slow 3G"): 500 kbit/s × 0.8, 400 ms RTT × 5.
  'slow-3g': { offline: false, downloadKbps: 400, uploadKbps: 400, latencyMs: 2000 },
  // DevTools "Slow 4G" (formerly "Fast 3G"): 1.6 Mbit/s × 0.9 down, 750 kbit/s × 0.9 up, 150 ms RTT × 3.75.
  'fast-3g': { offline: false, downloadKbps: 1440, uploadKbps: 675, latencyMs: 562.5 },
  'slow-4g': { offline: false, downloadKbps: 1440, uploadKbps: 675, latencyMs: 562.5 },
  // DevTools "Fast 4G": 9 Mbit/s × 0.9 down, 1.5 Mbit/s × 0.9 up, 60 ms RTT × 2.75.
  'fast-4g': { offline: false, downloadKbps: 8100, uploadKbps: 1350, latencyMs: 165 },
};

export interface ThrottleRequest {
  preset?: string | undefined;
  download?: number | undefined;
  upload?: number | undefined;
  latency?: number | undefined;
}

const toBytesPerSecond = (kbps: number | null): number => (kbps === null ? -1 : (kbps * 1000) / 8);

export class Throttle {
  readonly #send: SessionSend;
  #state: ThrottleState | null = null;

  constructor(send: SessionSend) {
    this.#send = send;
  }

  get state(): ThrottleState | null {
    return this.#state === null ? null : { ...this.#state };
  }

  /**
   * What the request asks for: a preset, speeds by hand, or a preset with some of its values replaced; `off`
   * clears it; nothing at all leaves it as it is. Returns whether anything changed.
   */
  async set(req: ThrottleRequest): Promise<boolean> {
    const byHand = req.download !== undefined || req.upload !== undefined || req.latency !== undefined;
    if (req.preset === undefined && !byHand) return false;
    let next: ThrottleState | null;
    if (req.preset === 'off') {
      if (byHand) throw new BdgError('INVALID_ARGUMENTS', '`off` takes no --download, --upload or --latency', 'Use `bdg network throttle off` alone.');
      next = null;
    } else {
      const base = req.preset !== undefined ? THROTTLE_PRESETS[req.preset] : undefined;
      if (req.preset !== undefined && base === undefined) throw new BdgError('INVALID_ARGUMENTS', `Unknown preset "${req.preset}"`);
      if (base?.offline === true && byHand) throw new BdgError('INVALID_ARGUMENTS', '`offline` takes no --download, --upload or --latency');
      next = {
        preset: req.preset !== undefined && !byHand ? req.preset : null,
        offline: base?.offline ?? false,
        downloadKbps: req.download ?? base?.downloadKbps ?? null,
        uploadKbps: req.upload ?? base?.uploadKbps ?? null,
        latencyMs: req.latency ?? base?.latencyMs ?? 0,
      };
      // DevTools' custom profiles call a speed of 0 "no limit" too: Chrome reads 0 throughput as unthrottled.
      if (!next.offline && next.downloadKbps === 0) next.downloadKbps = null;
      if (!next.offline && next.uploadKbps === 0) next.uploadKbps = null;
    }
    const changed = JSON.stringify(next) !== JSON.stringify(this.#state);
    await this.#emulate(next);
    this.#state = next;
    return changed;
  }

  /** Sets the current conditions on the page's (new) session: after another tab was selected. */
  async reapply(): Promise<void> {
    if (this.#state !== null) await this.#emulate(this.#state);
  }

  async #emulate(s: ThrottleState | null): Promise<void> {
    try {
      await this.#send(
        'Network.emulateNetworkConditions',
        s === null
          ? { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 }
          : {
              offline: s.offline,
              latency: s.latencyMs,
              downloadThroughput: toBytesPerSecond(s.downloadKbps),
              uploadThroughput: toBytesPerSecond(s.uploadKbps),
            },
        { timeoutMs: 10_000 },
      );
    } catch (err) {
      throw err instanceof BdgError ? err : new BdgError('CDP_CONNECTION_FAILED', `Setting the network conditions failed: ${String(err)}`);
    }
  }
}
