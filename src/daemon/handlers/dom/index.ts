/**
 * `dom *` handlers, one module per job: reading (query, get), evaluation, actions (click, fill, hover, press,
 * submit, scroll), waiting, screenshots and the accessibility tree.
 */
import type { FamilyCommands, HandlerTable } from '../../context.js';
import { a11y, a11yQuery } from './a11y.js';
import { click, fill, hover, press, scroll, submit } from './actions.js';
import { evaluate } from './eval.js';
import { get, query } from './read.js';
import { screenshot } from './screenshot.js';
import { wait } from './wait.js';
import { audit } from './audit.js';
import { form } from './form.js';
import { frames } from './frames.js';
import { inspect } from './inspect.js';
import { layout } from './layout.js';
import { listeners } from './listeners.js';
import { drag } from './drag.js';
import { type } from './type.js';

export const DOM_HANDLERS: HandlerTable<FamilyCommands<'dom'> | 'eval'> = {
  eval: evaluate,
  'dom.query': query,
  'dom.get': get,
  'dom.eval': evaluate,
  'dom.screenshot': screenshot,
  'dom.a11y': a11y,
  'dom.a11y.query': a11yQuery,
  'dom.inspect': inspect,
  'dom.layout': layout,
  'dom.listeners': listeners,
  'dom.frames': frames,
  'dom.form': form,
  'dom.audit': audit,
  'dom.click': click,
  'dom.fill': fill,
  'dom.hover': hover,
  'dom.type': type,
  'dom.drag': drag,
  'dom.press': press,
  'dom.pressKey': press,
  'dom.submit': submit,
  'dom.scroll': scroll,
  'dom.wait': wait,
};
