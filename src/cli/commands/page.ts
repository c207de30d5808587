import type { Params } from '../../protocol/validate.js';
import type { SessionPaths } from '../../util/paths.js';
import type { Output } from '../output.js';
import type { Runner } from '../runner.js';
import { callCommand, triggeredLines } from './dom.js';

interface Loaded {
  action: string;
  url: string;
  title: string;
  loadTimedOut: boolean;
  durationMs: number;
  triggered?: Parameters<typeof triggeredLines>[0];
}

function loadRunner(name: string): Runner {
  return async (paths, params, out) => {
    const d = (await callCommand(paths, name, params)) as Loaded;
    return out.success(d, () => {
      const lines = [`${d.loadTimedOut ? 'Opened (still loading)' : 'Loaded'} ${d.url}${d.title !== '' ? `  "${d.title}"` : ''}  (${d.durationMs} ms)`];
      const extra = triggeredLines(d.triggered).filter((l) => !l.includes('navigated to') && !l.includes('page reloaded') && !l.includes('URL changed'));
      return [...lines, ...extra].join('\n');
    });
  };
}

interface Tab {
  id: string;
  targetId: string;
  url: string;
  title: string;
  selected: boolean;
}

async function runTabs(paths: SessionPaths, params: Params, out: Output): Promise<number> {
  const d = (await callCommand(paths, 'tabs.list', params)) as { selected: string | null; tabs: Tab[] };
  return out.success(d, () => d.tabs.map((t) => `${t.selected ? '*' : ' '} ${t.id.padEnd(4)} ${t.url}${t.title !== '' ? `  "${t.title}"` : ''}`).join('\n'));
}

function tabRunner(name: string, verb: (d: Record<string, unknown>) => string): Runner {
  return async (paths, params, out) => {
    const d = (await callCommand(paths, name, params)) as Record<string, unknown>;
    return out.success(d, () => verb(d));
  };
}

async function runDialogs(paths: SessionPaths, params: Params, out: Output): Promise<number> {
  const d = (await callCommand(paths, 'page.dialogs', params)) as { dialogs: Array<{ type: string; message: string; action: string; url: string; timestamp: number }> };
  return out.success(d, () => (d.dialogs.length === 0 ? 'No dialogs.' : d.dialogs.map((x) => `  ${new Date(x.timestamp).toISOString()}  ${x.type.padEnd(12)} "${x.message}" (${x.action === 'accept' ? 'accepted' : 'dismissed'})`).join('\n')));
}

export const PAGE_RUNNERS: Record<string, Runner> = {
  'page.navigate': loadRunner('page.navigate'),
  'page.reload': loadRunner('page.reload'),
  'page.back': loadRunner('page.back'),
  'page.forward': loadRunner('page.forward'),
  'page.dialogs': runDialogs,
  'tabs.list': runTabs,
  'tabs.new': tabRunner('tabs.new', (d) => `Opened tab ${String(d['id'])}: ${String(d['url'])}${d['loadTimedOut'] === true ? ' (still loading)' : ''} (selected)`),
  'tabs.select': tabRunner('tabs.select', (d) => `Selected tab ${String(d['id'])}: ${String(d['url'])}`),
  'tabs.close': tabRunner('tabs.close', (d) => `Closed tab ${String(d['closed'])}; selected ${String(d['selected'])}: ${String(d['url'])}`),
};
