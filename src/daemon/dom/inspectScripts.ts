/**
 * Page-side functions of the inspection commands (layout, form, audit, listeners), for Runtime.callFunctionOn with
 * `this` an element, an array or the document and every user value passed as an argument. Like pageScripts.ts, each
 * inlines the shared library, so nothing is left on the page's globals.
 */
import { LIB } from './pageScripts.js';

const INSPECT_LIB = String.raw`
  const parentOf = (n) => n.parentElement || (n.parentNode && n.parentNode.host) || (n.ownerDocument && n.ownerDocument.defaultView && n.ownerDocument.defaultView.frameElement) || null;
  const ancestors = (el, max) => { const out = []; for (let n = parentOf(el); n && out.length < max; n = parentOf(n)) out.push(n); return out; };
  const styleOf = (n) => n.ownerDocument.defaultView.getComputedStyle(n);
  const cutText = (s, n) => { const t = norm(s); return t.length > n ? t.slice(0, n - 1) + '\u2026' : t; };
  const round = (n) => Math.round(n * 10) / 10;
`;

/** The page's viewport, scroll position and document size (top-level page). */
export const PAGE_LAYOUT_EXPR = `(() => {
  const de = document.documentElement; const se = document.scrollingElement || de;
  return { viewport: { width: de.clientWidth || innerWidth, height: de.clientHeight || innerHeight }, scroll: { x: Math.round(scrollX), y: Math.round(scrollY) }, document: { width: se.scrollWidth, height: se.scrollHeight } };
})()`;

/** `this` = element -> where it is and whether a user can see it. */
export const LAYOUT_FN = `function () { ${LIB} ${INSPECT_LIB}
  const el = this;
  const cs = styleOf(el);
  const top = topDoc().defaultView;
  const vw = top.document.documentElement.clientWidth || top.innerWidth, vh = top.document.documentElement.clientHeight || top.innerHeight;
  const r = topRect(el);
  const up = ancestors(el, 500);
  const reasons = [];
  let notRendered = false;
  for (const n of [el, ...up]) { if (n.nodeType === 1 && styleOf(n).display === 'none') { reasons.push('display: none' + (n === el ? '' : ' on ' + label(n))); notRendered = true; break; } }
  if (!notRendered && (cs.visibility === 'hidden' || cs.visibility === 'collapse')) reasons.push('visibility: ' + cs.visibility);
  for (const n of [el, ...up]) { if (n.nodeType === 1 && parseFloat(styleOf(n).opacity) === 0) { reasons.push('opacity: 0' + (n === el ? '' : ' on ' + label(n))); break; } }
  const details = el.closest && el.closest('details:not([open])');
  if (details && !(details.querySelector('summary') && details.querySelector('summary').contains(el))) reasons.push('inside a closed <details>');
  if (!notRendered && (r.width === 0 || r.height === 0)) reasons.push('zero size');
  const ix = Math.max(0, Math.min(r.x + r.width, vw) - Math.max(r.x, 0)), iy = Math.max(0, Math.min(r.y + r.height, vh) - Math.max(r.y, 0));
  let inViewport, percentVisible;
  if (notRendered || r.width === 0 || r.height === 0 || cs.visibility === 'hidden') inViewport = 'hidden';
  else if (ix * iy >= r.width * r.height - 0.5) inViewport = 'visible';
  else if (ix * iy > 0) { inViewport = 'partly'; percentVisible = Math.round((ix * iy * 100) / (r.width * r.height)); }
  else inViewport = r.y + r.height <= 0 ? 'above' : r.y >= vh ? 'below' : r.x + r.width <= 0 ? 'left' : 'right';
  if (['above', 'below', 'left', 'right'].includes(inViewport)) reasons.push('offscreen (' + (inViewport === 'above' || inViewport === 'below' ? inViewport + ' the viewport' : inViewport + ' of the viewport') + ')');
  const out = {
    bounds: { x: round(r.x + top.scrollX), y: round(r.y + top.scrollY), width: round(r.width), height: round(r.height) },
    viewport: { x: round(r.x), y: round(r.y) },
    inViewport, hiddenReasons: reasons,
    computed: { display: cs.display, visibility: cs.visibility, position: cs.position, opacity: cs.opacity, zIndex: cs.zIndex, overflow: cs.overflow },
  };
  if (percentVisible !== undefined) out.percentVisible = percentVisible;
  // The nearest ancestor that scrolls, and the first one whose overflow cuts this element off. A fixed element escapes both.
  if (!notRendered) {
    let fixed = cs.position === 'fixed';
    for (const n of up) {
      if (n.nodeType !== 1 || n === top.document.documentElement) continue;
      const s = styleOf(n);
      const ox = s.overflowX, oy = s.overflowY;
      const scrolls = (['auto', 'scroll'].includes(ox) && n.scrollWidth > n.clientWidth) || (['auto', 'scroll'].includes(oy) && n.scrollHeight > n.clientHeight);
      if (scrolls && out.scrollContainer === undefined && n !== top.document.body) out.scrollContainer = label(n);
      if (!fixed && (ox !== 'visible' || oy !== 'visible') && n !== top.document.body && r.width > 0 && r.height > 0 && out.clippedBy === undefined) {
        const c = topRect(n);
        const cx0 = c.x + n.clientLeft, cy0 = c.y + n.clientTop, cx1 = cx0 + n.clientWidth, cy1 = cy0 + n.clientHeight;
        const cutX = ox !== 'visible' && (r.x < cx0 - 0.5 || r.x + r.width > cx1 + 0.5), cutY = oy !== 'visible' && (r.y < cy0 - 0.5 || r.y + r.height > cy1 + 0.5);
        if (cutX || cutY) {
          const gone = r.x >= cx1 || r.x + r.width <= cx0 || r.y >= cy1 || r.y + r.height <= cy0;
          const where = r.y >= cy1 ? 'below' : r.y + r.height <= cy0 ? 'above' : r.x >= cx1 ? 'right' : r.x + r.width <= cx0 ? 'left' : cutY ? 'vertically' : 'horizontally';
          out.clippedBy = (gone ? 'out of view in ' : 'cut off ' + where + ' by ') + label(n) + (gone ? ' (' + where + ')' : '') + ' (overflow: ' + (ox === oy ? ox : ox + ' ' + oy) + ')';
          if (gone && inViewport !== 'hidden') reasons.push('clipped by ' + label(n));
        }
      }
      if (s.position === 'fixed') fixed = true;
    }
  }
  // What a click at the centre of the visible part would hit, when that is another element.
  if (inViewport === 'visible' || inViewport === 'partly') {
    const x0 = Math.max(r.x, 0), y0 = Math.max(r.y, 0), x1 = Math.min(r.x + r.width, vw), y1 = Math.min(r.y + r.height, vh);
    const hit = deepHit((x0 + x1) / 2, (y0 + y1) / 2);
    if (hit && !containsComposed(el, hit) && !containsComposed(hit, el)) out.coveredBy = label(hit);
  }
  return out;
}`;

/** `this` = document, `(target, all)` -> Array of groups { form, name, controls: [el], buttons: [el] } (by reference). */
export const FORM_COLLECT_FN = `function (target, all) { ${LIB} ${INSPECT_LIB}
  const FIELD = 'input:not([type=submit]):not([type=button]):not([type=reset]):not([type=image]):not([type=hidden]), select, textarea';
  const BUTTON = 'button, input[type=submit], input[type=button], input[type=image], [role=button]';
  const groups = [];
  const every = roots(document);
  const forms = [];
  for (const r of every) for (const f of r.querySelectorAll('form')) forms.push(f);
  const inForm = new Set();
  for (const f of forms) {
    const controls = [...f.querySelectorAll(FIELD)];
    for (const el of f.elements || []) if (el.matches && el.matches(FIELD) && !controls.includes(el)) controls.push(el);
    controls.forEach((c) => inForm.add(c));
    const buttons = [...f.querySelectorAll(BUTTON)].filter((b) => !(b.tagName === 'BUTTON' && (b.type === 'button' || b.type === 'reset')) || b.form === f);
    groups.push({ form: f, controls, buttons });
  }
  // Controls outside any form, by the root (document or shadow root) holding them: a web component's fields are its form.
  for (const r of every) {
    const loose = [...r.querySelectorAll(FIELD)].filter((c) => !inForm.has(c) && !c.form);
    if (loose.length === 0) continue;
    const buttons = [...r.querySelectorAll(BUTTON)].filter((b) => !b.form && !(b.closest && b.closest('form')));
    groups.push({ form: null, root: r, controls: loose, buttons });
  }
  if (target) {
    const host = target.tagName === 'FORM' ? target : target.form || (target.closest && target.closest('form'));
    const picked = groups.filter((g) => (host && g.form === host) || (!host && (g.controls.some((c) => containsComposed(target, c)) || g.root === target.shadowRoot)));
    if (picked.length === 0 && !host) return [{ form: null, controls: groups.flatMap((g) => g.controls).filter((c) => containsComposed(target, c)), buttons: [], within: target }];
    return picked;
  }
  if (all) return groups;
  const visible = groups.find((g) => g.controls.some(isVisible));
  return visible ? [visible] : groups.slice(0, 1);
}`;

/** `this` = groups -> every control and button in order (for refs). */
export const FORM_FLAT_FN = `function () { return this.flatMap((g) => [...g.controls, ...g.buttons]); }`;

/** `this` = groups, `(limit)` -> the forms as data; secrets never leave the page. */
export const FORM_DESCRIBE_FN = `function (limit) { ${LIB} ${INSPECT_LIB}
  const SECRET = (el) => el.type === 'password' || /one-time-code|cc-number|cc-csc/.test(el.autocomplete || '') || /otp|cvc|cvv|pin\\b|secret|token/i.test(el.name || el.id || '');
  const textById = (root, ids) => ids.split(/\\s+/).map((id) => { const n = root.getElementById ? root.getElementById(id) : root.querySelector('#' + CSS.escape(id)); return n ? textOf(n) : ''; }).filter(Boolean).join(' ');
  const labelOf = (el) => {
    const root = el.getRootNode();
    if (el.getAttribute('aria-labelledby')) { const t = textById(root, el.getAttribute('aria-labelledby')); if (t) return t; }
    if (el.getAttribute('aria-label')) return norm(el.getAttribute('aria-label'));
    if (el.labels && el.labels.length > 0) { const t = norm([...el.labels].map((l) => textOf(l)).join(' ')); if (t) return t; }
    return norm(el.getAttribute('placeholder') || el.getAttribute('title') || el.getAttribute('name') || el.id || '');
  };
  const customError = (el) => {
    const root = el.getRootNode();
    if (el.getAttribute('aria-invalid') !== 'true') return '';
    const ids = el.getAttribute('aria-errormessage') || el.getAttribute('aria-describedby');
    return ids ? textById(root, ids) : '';
  };
  const field = (el, index) => {
    const type = el.tagName === 'INPUT' ? (el.type || 'text').toLowerCase() : el.tagName.toLowerCase();
    const f = { index, tag: el.tagName.toLowerCase(), type, label: cutText(labelOf(el), 80), value: '', required: !!el.required || el.getAttribute('aria-required') === 'true', valid: true };
    if (el.name) f.name = el.name;
    if (type === 'checkbox' || type === 'radio') { f.checked = !!el.checked; f.value = el.checked ? 'checked' : 'unchecked'; }
    else if (type === 'select' || type === 'select-one' || type === 'select-multiple') f.value = cutText([...el.selectedOptions].map((o) => o.label || o.text).join(', '), 80);
    else if (type === 'file') f.value = el.files && el.files.length ? [...el.files].map((x) => x.name).join(', ') : '';
    else if (SECRET(el)) { f.masked = true; f.value = el.value ? '••••' : ''; }
    else f.value = cutText(el.value, 80);
    if (isDisabled(el)) f.disabled = true;
    if (!isVisible(el)) f.hidden = true;
    if (el.getRootNode() instanceof el.ownerDocument.defaultView.ShadowRoot) f.inShadowRoot = true;
    const custom = customError(el);
    const invalid = (el.willValidate && el.validity && !el.validity.valid) || el.getAttribute('aria-invalid') === 'true';
    if (invalid) { f.valid = false; f.validationMessage = cutText(custom || el.validationMessage || 'invalid', 160); }
    return f;
  };
  const button = (b) => {
    const o = { label: cutText(textOf(b) || b.value || b.getAttribute('aria-label') || b.title || '', 60), type: b.tagName === 'INPUT' ? b.type : (b.getAttribute('type') || (b.tagName === 'BUTTON' ? 'submit' : b.getAttribute('role') || 'button')) };
    if (isDisabled(b)) o.disabled = true;
    return o;
  };
  return this.map((g, index) => {
    const f = g.form;
    const heading = f ? (f.getAttribute('aria-label') || (f.querySelector('legend, h1, h2, h3, h4') && textOf(f.querySelector('legend, h1, h2, h3, h4'))) || f.getAttribute('name') || f.id || '') : '';
    const rec = { index, name: cutText(heading || (f ? 'form' : '(fields outside a form)'), 80), fields: g.controls.slice(0, limit).map(field), fieldsOmitted: Math.max(0, g.controls.length - limit), buttons: g.buttons.slice(0, 20).map(button), buttonCount: g.buttons.length, controlCount: g.controls.length };
    if (f) {
      if (f.id) rec.id = f.id;
      if (f.getAttribute('action')) rec.action = f.action;
      rec.method = (f.method || 'get').toUpperCase();
      if (f.getRootNode() instanceof f.ownerDocument.defaultView.ShadowRoot) rec.inShadowRoot = true;
    } else if (g.root && g.root.host) rec.inShadowRoot = true;
    if (!g.controls.some(isVisible) && !g.buttons.some(isVisible)) rec.hidden = true;
    return rec;
  });
}`;

/** `this` = document, `(checks, level, limit)` -> page-wide contrast and overflow findings. */
export const AUDIT_FN = `function (checks, level, limit) { ${LIB} ${INSPECT_LIB}
  const MAX = 20000;
  const els = [];
  let capped = false;
  for (const r of roots(document)) { for (const el of r.querySelectorAll('*')) { if (els.length >= MAX) { capped = true; break; } els.push(el); } }
  const top = topDoc().defaultView;
  const vw = top.document.documentElement.clientWidth || top.innerWidth, vh = top.document.documentElement.clientHeight || top.innerHeight;
  const parse = (c) => { const m = /rgba?\\(([\\d.]+),\\s*([\\d.]+),\\s*([\\d.]+)(?:,\\s*([\\d.]+))?\\)/.exec(c); return m ? [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]] : null; };
  const over = (fg, bg) => { const a = fg[3]; return [fg[0] * a + bg[0] * (1 - a), fg[1] * a + bg[1] * (1 - a), fg[2] * a + bg[2] * (1 - a), 1]; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const hex = (c) => '#' + c.slice(0, 3).map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
  const out = { walked: els.length, capped };
  const skip = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'HEAD', 'TITLE', 'META', 'LINK', 'svg', 'SVG', 'OPTION']);
  if (checks.includes('contrast')) {
    const items = []; let checked = 0, uncertain = 0;
    for (const el of els) {
      if (skip.has(el.tagName)) continue;
      let own = '';
      for (const n of el.childNodes) if (n.nodeType === 3) own += n.nodeValue;
      own = norm(own);
      if (own === '' || !isVisible(el)) continue;
      const s = styleOf(el);
      if (parseFloat(s.opacity) === 0) continue;
      let fg = parse(s.color); if (!fg) continue;
      // The background behind the text: translucent layers composited over the ones below, up to the page's white canvas.
      const layers = []; let image = false;
      for (let n = el; n && n.nodeType === 1; n = parentOf(n)) {
        const ns = styleOf(n);
        if (ns.backgroundImage && ns.backgroundImage !== 'none') { image = true; break; }
        const bg = parse(ns.backgroundColor);
        if (bg && bg[3] > 0) { layers.push(bg); if (bg[3] >= 1) break; }
      }
      if (image) { uncertain++; continue; }
      let bg = [255, 255, 255, 1];
      for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
      fg = over(fg, bg);
      const L1 = lum(fg), L2 = lum(bg);
      const ratio = Math.floor(((Math.max(L1, L2) + 0.05) / (Math.min(L1, L2) + 0.05)) * 100) / 100;
      const size = parseFloat(s.fontSize), weight = parseInt(s.fontWeight, 10) || 400;
      const large = size >= 24 || (size >= 18.66 && weight >= 700);
      const required = level === 'AAA' ? (large ? 4.5 : 7) : large ? 3 : 4.5;
      checked++;
      if (ratio < required) {
        const r = topRect(el);
        items.push({ element: label(el), text: cutText(own, 60), ratio, required, color: hex(fg), background: hex(bg), size: round(size), weight, inView: r.x < vw && r.y < vh && r.x + r.width > 0 && r.y + r.height > 0 });
      }
    }
    items.sort((a, b) => a.ratio - b.ratio);
    out.contrast = { level, checked, failing: items.length, omitted: Math.max(0, items.length - limit), items: items.slice(0, limit) };
    if (uncertain > 0) out.contrast.uncertain = uncertain;
  }
  if (checks.includes('overflow')) {
    const de = top.document.documentElement;
    const pageWidth = (top.document.scrollingElement || de).scrollWidth;
    const items = [];
    for (const el of els) {
      if (skip.has(el.tagName) || el === de || el === top.document.body) continue;
      const s = styleOf(el);
      if (s.display === 'none' || s.display === 'inline' || s.display === 'contents') continue;
      const ox = s.overflowX, oy = s.overflowY;
      // Scrollers are meant to scroll; what spills out of (visible) or is cut off by (hidden/clip) its box is not.
      const x = !['auto', 'scroll'].includes(ox) && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0;
      const y = !['auto', 'scroll'].includes(oy) && el.scrollHeight > el.clientHeight + 1 && el.clientHeight > 0;
      const r = topRect(el);
      const past = r.x + top.scrollX + r.width > pageWidth - 0.5 && pageWidth > vw && r.width > 0;
      if (!x && !y && !past) continue;
      const clipped = (x && ox !== 'visible') || (y && oy !== 'visible');
      items.push({ element: label(el), text: cutText(textOf(el), 60), axis: x && y ? 'x,y' : x ? 'x' : y ? 'y' : 'page', scrollWidth: el.scrollWidth, clientWidth: el.clientWidth, scrollHeight: el.scrollHeight, clientHeight: el.clientHeight, overflow: ox === oy ? ox : ox + ' ' + oy, clipped, excess: Math.max(el.scrollWidth - el.clientWidth, el.scrollHeight - el.clientHeight) });
    }
    // Only the innermost of nested overflowing boxes whose overflow is the same content: a parent spilling because its child does adds nothing.
    items.sort((a, b) => b.excess - a.excess);
    out.overflow = { pageWidth, viewportWidth: vw, scrollsSideways: pageWidth > vw, count: items.length, omitted: Math.max(0, items.length - limit), items: items.slice(0, limit).map(({ excess, ...rest }) => rest) };
  }
  return out;
}`;

/** `this` = element -> [element, its ancestors through shadow roots and frames (at most 60), document, window]. */
export const LISTENER_PATH_FN = `function () { ${INSPECT_LIB}
  const out = [this];
  for (let n = this.parentElement || (this.parentNode && this.parentNode.host); n && out.length < 60; n = n.parentElement || (n.parentNode && n.parentNode.host)) out.push(n);
  out.push(this.ownerDocument, this.ownerDocument.defaultView);
  return out;
}`;

/** `this` = path array -> labels of its entries. */
export const PATH_LABELS_FN = `function () { ${LIB} return this.map((n) => n.nodeType === 1 ? label(n) : n.nodeType === 9 ? 'document' : 'window'); }`;

/**
 * `this` = path array -> the handlers frameworks keep for their own dispatchers, read as own data properties, never
 * through getters, at most `max` of them: [{ at, framework, type, capture, prop?, selector?, fn }], plus `dispatchers`
 * (the sources of the framework listeners these stand behind, which the listing leaves out).
 * - React 17+ `__reactProps$…` (16: `__reactEventHandlers$…`) `on…` props, run by React's listeners on its root.
 * - jQuery `jQuery._data(node, 'events')`: handlers of `.on(type, fn)` and, with a selector, delegated ones, listed
 *   when an element from the target up to that node matches the selector (`jQuery(el).is(selector)`).
 * - Preact 11 `node.__e` (`onClick`, `onClickCapture` keys), Preact 10 `node.l` (`click` + `true|false` for capture;
 *   `_listeners` unminified), run by Preact's proxy listener on the node itself.
 */
export const FRAMEWORK_HANDLERS_FN = `function (max) {
  const out = [];
  const dispatchers = [];
  const own = (o, k) => { const d = Object.getOwnPropertyDescriptor(o, k); return d && 'value' in d ? d.value : undefined; };
  const propEvent = (p) => {
    const capture = /Capture$/.test(p);
    const base = (capture ? p.slice(2, -7) : p.slice(2)).toLowerCase();
    return { type: ({ doubleclick: 'dblclick', focus: 'focusin', blur: 'focusout' })[base] || base, capture };
  };
  const win = this[this.length - 1];
  const jq = win && (own(win, 'jQuery') || own(win, '$'));
  const jQuery = typeof jq === 'function' && typeof jq._data === 'function' && jq.fn && typeof jq.fn.jquery === 'string' ? jq : null;
  for (let i = 0; i < this.length && out.length < max; i++) {
    const n = this[i];
    if (!n) continue;
    if (n.nodeType === 1) {
      for (const k of Object.keys(n)) {
        if (!k.startsWith('__reactProps$') && !k.startsWith('__reactEventHandlers$')) continue;
        const props = own(n, k);
        if (!props || typeof props !== 'object') continue;
        for (const p of Object.keys(props)) {
          const fn = own(props, p);
          if (/^on[A-Z]/.test(p) && typeof fn === 'function' && out.length < max) out.push({ at: i, framework: 'React', prop: p, ...propEvent(p), fn });
        }
      }
      for (const k of ['__e', 'l', '_listeners']) {
        const ls = own(n, k);
        if (!ls || typeof ls !== 'object' || Array.isArray(ls)) continue;
        for (const key of Object.keys(ls)) {
          const fn = own(ls, key);
          if (typeof fn !== 'function' || out.length >= max) continue;
          if (k === '__e') { if (/^on/.test(key)) out.push({ at: i, framework: 'Preact', prop: key, ...propEvent(key), fn }); continue; }
          const m = /^(.*?)(true|false)?$/.exec(key);
          out.push({ at: i, framework: 'Preact', type: m[1].toLowerCase(), capture: m[2] === 'true', fn });
        }
      }
    }
    if (jQuery) {
      let data;
      try { data = jQuery._data(n); } catch (e) { data = undefined; }
      const events = data && data.events;
      if (!events || typeof events !== 'object') continue;
      if (typeof data.handle === 'function') dispatchers.push(Function.prototype.toString.call(data.handle));
      for (const type of Object.keys(events)) {
        for (const h of events[type] || []) {
          if (!h || typeof h.handler !== 'function' || out.length >= max) continue;
          if (h.selector) {
            let hit = false;
            for (let j = 0; j < i && !hit; j++) { try { hit = this[j].nodeType === 1 && jQuery(this[j]).is(h.selector); } catch (e) { hit = false; } }
            if (!hit) continue;
          }
          out.push({ at: i, framework: 'jQuery', type: h.origType || type, capture: false, ...(h.selector ? { selector: String(h.selector) } : {}), fn: h.handler });
        }
      }
    }
  }
  return { handlers: out, dispatchers };
}`;

/** `this` = the result of FRAMEWORK_HANDLERS_FN -> the same by value, each function as its name and source. */
export const FRAMEWORK_DESCRIBE_FN = `function () {
  return {
    handlers: this.handlers.map((x) => ({ at: x.at, framework: x.framework, type: x.type, capture: x.capture, prop: x.prop, selector: x.selector, name: x.fn.name || '', source: Function.prototype.toString.call(x.fn).slice(0, 200) })),
    dispatchers: this.dispatchers,
  };
}`;
