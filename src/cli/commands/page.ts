import type { InFamily } from '../../protocol/commands.js';
import { omittedLine } from '../../util/bounded.js';
import type { LoadResult } from '../../protocol/commands/page.js';
import type { RunnerTable } from '../runner.js';
import { call } from '../../client/call.js';
import { triggeredLines } from './dom.js';
import { PERF_RUNNERS } from './perf.js';
import { describeEmulation } from '../../protocol/emulation.js';
import type { PageMetrics } from '../../protocol/commands/page.js';

function metricsLines(m: PageMetrics): string[] {
  return [
    `Viewport:     ${m.viewport.width}x${m.viewport.height} @${m.devicePixelRatio}x`,
    `User agent:   ${m.userAgent}`,
    `Color scheme: ${m.colorScheme}`,
    `Locale:       ${m.locale}, timezone ${m.timezone}`,
  ];
}

function renderLoad(d: LoadResult): string {
  const lines = [`${d.loadTimedOut ? 'Opened (still loading)' : 'Loaded'} ${d.url}${d.title !== '' ? `  "${d.title}"` : ''}  (${d.durationMs} ms)`];
  const extra = triggeredLines(d.triggered).filter((l) => !l.includes('navigated to') && !l.includes('page reloaded') && !l.includes('URL changed'));
  return [...lines, ...extra].join('\n');
}

export const PAGE_RUNNERS: RunnerTable<InFamily<'page' | 'tabs'>> = {
  'page.navigate': async (paths, params, out) => {
    const d = await call(paths, 'page.navigate', params);
    return out.success(d, () => renderLoad(d));
  },
  'page.reload': async (paths, params, out) => {
    const d = await call(paths, 'page.reload', params);
    return out.success(d, () => renderLoad(d));
  },
  'page.back': async (paths, params, out) => {
    const d = await call(paths, 'page.back', params);
    return out.success(d, () => renderLoad(d));
  },
  'page.forward': async (paths, params, out) => {
    const d = await call(paths, 'page.forward', params);
    return out.success(d, () => renderLoad(d));
  },
  'page.dialogs': async (paths, params, out) => {
    const d = await call(paths, 'page.dialogs', params);
    return out.success(d, () =>
      d.dialogs.length === 0
        ? 'No dialogs.'
        : d.dialogs
            .map((x) => `  ${new Date(x.timestamp).toISOString()}  ${x.type.padEnd(12)} "${x.message}" (${x.action === 'accept' ? 'accepted' : 'dismissed'})`)
            .concat(omittedLine(d.omitted, 'dialog'))
            .filter((l) => l !== '')
            .join('\n'),
    );
  },
  ...PERF_RUNNERS,
  'page.info': async (paths, params, out) => {
    const d = await call(paths, 'page.info', params);
    return out.success(d, () =>
      [
        `URL:          ${d.url}`,
        `Title:        ${d.title}`,
        ...metricsLines(d),
        `Emulation:    ${describeEmulation(d.emulation)}`,
        `Load state:   ${d.loadState}`,
        `Frames:       ${d.frames}`,
      ].join('\n'),
    );
  },
  'page.emulate': async (paths, params, out) => {
    const d = await call(paths, 'page.emulate', params);
    return out.success(d, () => [`Emulating:    ${describeEmulation(d.emulated)}`, ...metricsLines(d)].join('\n'));
  },
  'tabs.list': async (paths, params, out) => {
    const d = await call(paths, 'tabs.list', params);
    return out.success(d, () =>
      d.tabs
        .map((t) => `${t.selected ? '*' : ' '} ${t.id.padEnd(4)} ${t.url}${t.title !== '' ? `  "${t.title}"` : ''}`)
        .concat(omittedLine(d.omitted, 'tab'))
        .filter((l) => l !== '')
        .join('\n'),
    );
  },
  'tabs.new': async (paths, params, out) => {
    const d = await call(paths, 'tabs.new', params);
    return out.success(d, () => `Opened tab ${d.id}: ${d.url}${d.loadTimedOut ? ' (still loading)' : ''} (selected)`);
  },
  'tabs.select': async (paths, params, out) => {
    const d = await call(paths, 'tabs.select', params);
    return out.success(d, () => `Selected tab ${d.id}: ${d.url}`);
  },
  'tabs.close': async (paths, params, out) => {
    const d = await call(paths, 'tabs.close', params);
    return out.success(d, () => `Closed tab ${d.closed}; selected ${d.selected}: ${d.url}`);
  },
};
