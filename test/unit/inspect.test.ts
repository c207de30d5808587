import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Protocol } from 'devtools-protocol';
import { parseArgv } from '../../src/cli/argv.js';
import { explain, matchedRules } from '../../src/daemon/dom/cascade.js';
import { pickFrame } from '../../src/daemon/dom/frames.js';
import { nextState } from '../../src/daemon/emulation.js';
import { MOBILE_USER_AGENT, parseGeolocation, parseViewport } from '../../src/protocol/emulation.js';
import type { FrameRecord } from '../../src/protocol/commands/domInspect.js';

const sheet = (id: string, url: string, isInline = false, startLine = 0): Protocol.CSS.CSSStyleSheetHeader =>
  ({ styleSheetId: id, sourceURL: url, isInline, startLine, startColumn: 0, origin: 'regular' }) as Protocol.CSS.CSSStyleSheetHeader;

function rule(
  selector: string,
  spec: [number, number, number],
  decls: Array<[string, string, boolean?]>,
  line: number,
  sheetId = 's1',
): Protocol.CSS.RuleMatch {
  return {
    matchingSelectors: [0],
    rule: {
      styleSheetId: sheetId,
      origin: 'regular',
      selectorList: { text: selector, selectors: [{ text: selector, specificity: { a: spec[0], b: spec[1], c: spec[2] } }] },
      style: {
        cssProperties: decls.map(([name, value, important], i) => ({
          name,
          value,
          ...(important === true ? { important: true } : {}),
          range: { startLine: line + i, startColumn: 2, endLine: line + i, endColumn: 20 },
        })),
        shorthandEntries: [],
      },
    },
  };
}

const SHEETS = new Map([
  ['s1', sheet('s1', 'http://x.test/css/app.css')],
  ['s2', sheet('s2', 'http://x.test/page', true, 10)],
]);

test('--why: the more specific rule wins, with file:line; the loser says why', () => {
  // Chrome lists matched rules lowest precedence first.
  const matched = { matchedCSSRules: [rule('.btn', [0, 1, 0], [['color', 'red']], 1), rule('.toolbar .btn', [0, 2, 0], [['color', 'blue']], 5)] };
  const w = explain('color', '#0000ff', matched, SHEETS);
  assert.equal(w.chain[0]?.rule, '.toolbar .btn');
  assert.equal(w.chain[0]?.status, 'applied');
  assert.equal(w.chain[0]?.source, 'app.css:6');
  assert.equal(w.chain[1]?.rule, '.btn');
  assert.equal(w.chain[1]?.status, 'overridden');
  assert.match(w.chain[1]?.reason ?? '', /lower specificity \[0,1,0\] < \[0,2,0\]/);
});

test('--why: !important beats specificity, the style attribute beats rules, inline <style> lines count from the document', () => {
  const important = { matchedCSSRules: [rule('.a', [0, 1, 0], [['color', 'red', true]], 0, 's2'), rule('#b', [1, 0, 0], [['color', 'blue']], 3)] };
  const w = explain('color', '#ff0000', important, SHEETS);
  assert.equal(w.chain[0]?.rule, '.a');
  assert.equal(w.chain[0]?.important, true);
  assert.equal(w.chain[0]?.source, '<style> in page:11');
  assert.equal(w.chain[1]?.reason, 'the winner is !important');
  const inline = {
    matchedCSSRules: [rule('#b', [1, 0, 0], [['color', 'blue']], 3)],
    inlineStyle: {
      cssProperties: [{ name: 'color', value: 'green', range: { startLine: 0, startColumn: 0, endLine: 0, endColumn: 12 } }],
      shorthandEntries: [],
    },
  } as Protocol.CSS.GetMatchedStylesForNodeResponse;
  const s = explain('color', '#008000', inline, SHEETS);
  assert.equal(s.chain[0]?.source, 'style attribute');
  assert.equal(s.chain[1]?.reason, 'the style attribute wins over rules');
});

test('--why: an inherited property comes from the nearest ancestor that sets it; a non-inherited one does not', () => {
  const matched = {
    matchedCSSRules: [],
    inherited: [
      { matchedCSSRules: [] },
      {
        matchedCSSRules: [
          rule(
            'body',
            [0, 0, 1],
            [
              ['color', '#333'],
              ['margin', '0'],
            ],
            0,
          ),
        ],
      },
    ],
  } as unknown as Protocol.CSS.GetMatchedStylesForNodeResponse;
  const c = explain('color', '#333333', matched, SHEETS);
  assert.equal(c.chain[0]?.status, 'inherited');
  assert.equal(c.chain[0]?.inheritedFrom, 2);
  assert.deepEqual(explain('margin', '0px', matched, SHEETS).chain, []);
});

test('--rules lists the rules highest precedence first, bounded', () => {
  const matched = { matchedCSSRules: [rule('.btn', [0, 1, 0], [['color', 'red']], 1), rule('.toolbar .btn', [0, 2, 0], [['color', 'blue']], 5)] };
  const { rules, omitted } = matchedRules(matched, SHEETS, 1);
  assert.equal(rules[0]?.selector, '.toolbar .btn');
  assert.equal(rules.length, 1);
  assert.equal(omitted, 1);
});

test('emulation state: --mobile brings a phone, --no-mobile takes back what it brought, --reset clears, false clears', () => {
  const phone = nextState({}, { mobile: true });
  assert.deepEqual(phone, { mobile: true, viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, touch: true, userAgent: MOBILE_USER_AGENT });
  const own = nextState({}, { mobile: true, viewport: { width: 400, height: 800 } });
  assert.deepEqual(own.viewport, { width: 400, height: 800 });
  assert.deepEqual(nextState(phone, { mobile: false }), {});
  assert.deepEqual(nextState(nextState(own, { timezone: 'Asia/Tokyo' }), { mobile: false }), { viewport: { width: 400, height: 800 }, timezone: 'Asia/Tokyo' });
  assert.deepEqual(nextState({ colorScheme: 'dark', touch: true }, { reset: true, locale: 'de-DE' }), { locale: 'de-DE' });
  assert.deepEqual(nextState({ touch: true, cpuThrottle: 4 }, { touch: false, cpuThrottle: 1 }), {});
});

test('viewport and geolocation values', () => {
  assert.deepEqual(parseViewport('1280x720'), { width: 1280, height: 720 });
  assert.deepEqual(parseViewport('390×844'), { width: 390, height: 844 });
  for (const bad of ['0x5', '1280', 'axb', '20000x10']) assert.throws(() => parseViewport(bad), /Invalid viewport/);
  assert.deepEqual(parseGeolocation('35.68, 139.69'), { latitude: 35.68, longitude: 139.69 });
  assert.throws(() => parseGeolocation('95,0'), /Invalid geolocation/);
});

test('--frame: index, exact name or id, then part of the URL; none is 83, several 81', () => {
  const frames: FrameRecord[] = [
    {
      index: 0,
      frameId: 'F0',
      url: 'http://127.0.0.1:1/inner',
      name: 'local',
      id: 'same',
      origin: 'http://127.0.0.1:1',
      crossOrigin: false,
      outOfProcess: false,
    },
    { index: 1, frameId: 'F1', url: 'http://localhost:2/widget', id: 'pay', origin: 'http://localhost:2', crossOrigin: true, outOfProcess: true },
  ];
  assert.equal(pickFrame(frames, '1').frameId, 'F1');
  assert.equal(pickFrame(frames, 'local').frameId, 'F0');
  assert.equal(pickFrame(frames, 'pay').frameId, 'F1');
  assert.equal(pickFrame(frames, 'WIDGET').frameId, 'F1');
  assert.throws(
    () => pickFrame(frames, 'nope'),
    (e: { code?: string }) => e.code === 'NOT_FOUND',
  );
  assert.throws(
    () => pickFrame(frames, '7'),
    (e: { code?: string }) => e.code === 'NOT_FOUND',
  );
  assert.throws(
    () => pickFrame(frames, 'http'),
    (e: { code?: string }) => e.code === 'INVALID_ARGUMENTS',
  );
});

test('argv: --viewport is a switch of dom screenshot and takes WxH at start and in page emulate', () => {
  const shot = parseArgv(['dom', 'screenshot', 'a.png', '--viewport', '--max-width', '800']);
  assert.ok(shot.kind === 'run');
  assert.deepEqual(shot.params, { file: 'a.png', viewport: true, maxWidth: 800 });
  const start = parseArgv(['localhost:3000', '--viewport', '1280x720']);
  assert.ok(start.kind === 'run' && start.command.name === 'start');
  assert.equal(start.params['viewport'], '1280x720');
  const emu = parseArgv(['page', 'emulate', '--viewport', '390x844', '--mobile']);
  assert.ok(emu.kind === 'run');
  assert.deepEqual(emu.params, { viewport: '390x844', mobile: true });
});
