/**
 * JavaScript that runs inside the page. Kept as source text: the daemon compiles without the DOM library and
 * the page is not ours to import into. Every entry is a function declaration for Runtime.callFunctionOn (called
 * with `this` = an element or the document) or an expression for Runtime.evaluate. The shared library is
 * inlined into each function so nothing is left behind on the page's globals.
 */

export const LIB = String.raw`
  const norm = (s) => String(s == null ? '' : s).replace(/\s+/g, ' ').trim();
  const topDoc = () => { let w = window; try { while (w.parent !== w && w.parent.document) w = w.parent; } catch (e) {} return w.document; };
  // Every document and open shadow root under root: same-origin iframes are searched, cross-origin ones cannot be.
  const roots = (root) => {
    const out = [root];
    for (let i = 0; i < out.length; i++) {
      const r = out[i];
      for (const el of r.querySelectorAll('*')) {
        if (el.shadowRoot) out.push(el.shadowRoot);
        if (el.tagName === 'IFRAME' || el.tagName === 'FRAME') {
          let d = null;
          try { d = el.contentDocument; } catch (e) { d = null; }
          if (d && d.documentElement) out.push(d);
        }
      }
    }
    return out;
  };
  const textOf = (el) => norm(el.innerText !== undefined ? el.innerText : el.textContent);
  const isVisible = (el) => {
    if (!el.isConnected) return false;
    const win = el.ownerDocument.defaultView;
    if (!win) return false;
    const style = win.getComputedStyle(el);
    if (style.visibility === 'hidden' || style.visibility === 'collapse' || style.display === 'none') return false;
    if (typeof el.checkVisibility === 'function' && !el.checkVisibility({ opacityProperty: false, visibilityProperty: true })) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const parseText = (q) => {
    const m = /^(["'])([\s\S]*)\1$/.exec(q.trim());
    return m ? { exact: true, text: norm(m[2]) } : { exact: false, text: norm(q).toLowerCase() };
  };
  const textMatches = (t, want) => want.exact ? t === want.text : t.toLowerCase().includes(want.text);
  // Elements whose text matches and none of whose element children match too: the innermost hits.
  const innermost = (els, want) => {
    const hits = els.filter((el) => textMatches(textOf(el), want));
    const set = new Set(hits);
    return hits.filter((el) => { for (const c of el.children) if (set.has(c)) return false; return true; });
  };
  // The original bdg's (and Playwright's) filters on any step of a selector: :visible, :has-text("t") (contains,
  // case-insensitive), :text-is("t") (exact). A filtered step scopes the rest: 'li:has-text("Write") .toggle'.
  const scanTop = (s, onChar) => {
    let depth = 0, q = null;
    for (let i = 0; i < s.length; i++) {
      const ch = s[i];
      if (q) { if (ch === '\\') { i++; continue; } if (ch === q) q = null; continue; }
      if (ch === '"' || ch === "'") { q = ch; continue; }
      if (ch === '(' || ch === '[') depth++;
      else if (ch === ')' || ch === ']') depth--;
      else if (depth === 0) { const skip = onChar(i, ch); if (typeof skip === 'number') i = skip; }
    }
  };
  const splitCommas = (s) => { const out = []; let from = 0; scanTop(s, (i, ch) => { if (ch === ',') { out.push(s.slice(from, i)); from = i + 1; } }); out.push(s.slice(from)); return out; };
  const FILTER_RE = /^:(visible|has-text|text-is)(?![-\w])/;
  const readArg = (s, i) => {
    // s[i] === '(' -> [text, index of the closing paren]
    let j = i + 1; while (s[j] === ' ') j++;
    let text = '';
    if (s[j] === '"' || s[j] === "'") {
      const q = s[j++];
      while (j < s.length && s[j] !== q) { if (s[j] === '\\') j++; text += s[j] ?? ''; j++; }
      j++; while (s[j] === ' ') j++;
    } else { while (j < s.length && s[j] !== ')') text += s[j++]; text = text.trim(); }
    if (s[j] !== ')') throw new SyntaxError('unclosed filter in "' + s + '"');
    return [text, j];
  };
  // One selector of a list -> steps [{ comb, css, filters }] split at top-level combinators.
  const parseSteps = (part) => {
    const src = part.trim();
    const steps = [];
    let css = '', filters = [], next = null, from = 0;
    const push = () => {
      if (css.trim() === '' && filters.length === 0) return;
      steps.push({ comb: next, css: css.trim() || '*', filters });
      css = ''; filters = []; next = null;
    };
    scanTop(src, (i, ch) => {
      if (ch === ':') {
        const m = FILTER_RE.exec(src.slice(i));
        if (!m) return undefined;
        css += src.slice(from, i);
        if (m[1] === 'visible') { filters.push({ kind: 'visible' }); from = i + m[0].length; return from - 1; }
        if (src[i + m[0].length] !== '(') throw new SyntaxError(':' + m[1] + '("...") needs a text');
        const [text, end] = readArg(src, i + m[0].length);
        if (text === '' && m[1] === 'has-text') throw new SyntaxError(':has-text() needs a non-empty text');
        filters.push({ kind: m[1], text: norm(text) });
        from = end + 1;
        return end;
      }
      if (ch === ' ' || ch === '>' || ch === '+' || ch === '~') {
        css += src.slice(from, i); from = i + 1;
        push();
        if (ch !== ' ') next = ch; else if (next === null && steps.length > 0) next = ' ';
      }
      return undefined;
    });
    css += src.slice(from);
    push();
    for (const st of steps) if (/:(visible|has-text|text-is)(?![-\w])/.test(st.css)) throw new SyntaxError(':visible, :has-text() and :text-is() are not supported inside other pseudo-classes');
    return steps;
  };
  const filterText = (el) => (el.tagName === 'INPUT' && ['submit', 'button', 'reset'].includes(el.type) ? norm(el.value) : textOf(el));
  const passes = (el, filters) => filters.every((f) => f.kind === 'visible' ? isVisible(el) : f.kind === 'text-is' ? filterText(el) === f.text : filterText(el).toLowerCase().includes(f.text.toLowerCase()));
  const extendedQuery = (selector) => {
    const out = [], seen = new Set();
    for (const part of splitCommas(selector)) {
      const steps = parseSteps(part);
      // Runs of steps without filters stay one CSS selector; each filtered step ends a segment that scopes the next.
      const segs = [];
      let seg = null;
      for (const st of steps) {
        if (seg === null) seg = { comb: st.comb, css: st.css, filters: [] };
        else seg.css += ' ' + (st.comb && st.comb !== ' ' ? st.comb + ' ' : '') + st.css;
        if (st.filters.length > 0) { seg.filters = st.filters; segs.push(seg); seg = null; }
      }
      if (seg !== null) segs.push(seg);
      let els = null;
      for (const sg of segs) {
        if (sg.comb === '+' || sg.comb === '~') throw new SyntaxError('only a descendant (space) or child (>) combinator can follow a filtered element');
        const found = [];
        if (els === null) { for (const r of roots(document)) for (const el of r.querySelectorAll(sg.css)) found.push(el); }
        else for (const scope of els) {
          if (sg.comb === '>') { for (const el of scope.querySelectorAll(':scope > ' + sg.css)) found.push(el); }
          else for (const r of roots(scope)) for (const el of r.querySelectorAll(sg.css)) if (el !== scope) found.push(el);
        }
        const uniq = [...new Set(found)];
        els = sg.filters.length > 0 ? uniq.filter((el) => !['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'HEAD', 'TITLE'].includes(el.tagName) && passes(el, sg.filters)) : uniq;
      }
      for (const el of els || []) if (!seen.has(el)) { seen.add(el); out.push(el); }
    }
    return out;
  };
  const needsExtended = (sel) => {
    if (/:(visible|text-is)(?![-\w])/.test(sel)) return true;
    if (!/:has-text\(/.test(sel)) return false;
    let css = sel;
    const re = /:has-text\(\s*(["'])([\s\S]*?)\1\s*\)\s*$/;
    for (let m = re.exec(css); m; m = re.exec(css)) css = css.slice(0, m.index);
    return /:has-text\(/.test(css);
  };
  const query = (selector) => {
    const sel = selector.trim();
    if (!sel.startsWith('xpath=') && !sel.startsWith('//') && !sel.startsWith('text=') && needsExtended(sel)) return extendedQuery(sel);
    if (sel.startsWith('xpath=') || sel.startsWith('//')) {
      const expr = sel.startsWith('xpath=') ? sel.slice(6) : sel;
      const r = document.evaluate(expr, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
      const out = [];
      for (let i = 0; i < r.snapshotLength; i++) { const n = r.snapshotItem(i); if (n && n.nodeType === 1) out.push(n); }
      return out;
    }
    let css = sel;
    const texts = [];
    if (sel.startsWith('text=')) { css = '*'; texts.push(parseText(sel.slice(5))); }
    else {
      const re = /:has-text\(\s*(["'])([\s\S]*?)\1\s*\)\s*$/;
      for (let m = re.exec(css); m; m = re.exec(css)) { texts.unshift(parseText(m[1] + m[2] + m[1])); css = css.slice(0, m.index); }
      if (/:has-text\(/.test(css)) throw new SyntaxError(':has-text("...") is supported at the end of a selector only');
      if (texts.length > 0) texts.forEach((t) => { t.exact = false; t.text = t.text.toLowerCase(); });
      if (css.trim() === '' || /[\s>+~]$/.test(css)) css += '*';
    }
    const seen = new Set();
    let els = [];
    for (const r of roots(document)) for (const el of r.querySelectorAll(css)) if (!seen.has(el)) { seen.add(el); els.push(el); }
    if (texts.length > 0) {
      els = els.filter((el) => !['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'HEAD', 'TITLE'].includes(el.tagName));
      if (css === '*' || css.endsWith(' *')) els = innermost(els, texts[0]).filter((el) => texts.every((t) => textMatches(textOf(el), t)));
      else els = els.filter((el) => texts.every((t) => textMatches(filterText(el), t)));
    }
    return els;
  };
  // Position of el's box in the top-level viewport (iframes add their offsets).
  const topRect = (el) => {
    const r = el.getBoundingClientRect();
    let x = r.left, y = r.top;
    let win = el.ownerDocument.defaultView;
    while (win && win.frameElement) {
      const fr = win.frameElement.getBoundingClientRect();
      x += fr.left + win.frameElement.clientLeft; y += fr.top + win.frameElement.clientTop;
      win = win.parent;
    }
    return { x, y, width: r.width, height: r.height };
  };
  const deepHit = (x, y) => {
    let doc = topDoc();
    let hit = doc.elementFromPoint(x, y);
    let ox = 0, oy = 0;
    for (let i = 0; hit && i < 50; i++) {
      if (hit.shadowRoot) { const inner = hit.shadowRoot.elementFromPoint(x - ox, y - oy); if (inner && inner !== hit) { hit = inner; continue; } }
      if (hit.tagName === 'IFRAME' || hit.tagName === 'FRAME') {
        let d = null; try { d = hit.contentDocument; } catch (e) { d = null; }
        if (d) { const fr = hit.getBoundingClientRect(); ox += fr.left + hit.clientLeft; oy += fr.top + hit.clientTop; const inner = d.elementFromPoint(x - ox, y - oy); if (inner) { hit = inner; continue; } }
      }
      break;
    }
    return hit;
  };
  const containsComposed = (el, node) => {
    let n = node;
    for (let i = 0; n && i < 10000; i++) {
      if (n === el) return true;
      if (n.parentNode) n = n.parentNode;
      else if (n.host) n = n.host;
      else if (n.nodeType === 9 && n.defaultView && n.defaultView.frameElement) n = n.defaultView.frameElement;
      else return false;
    }
    return false;
  };
  const label = (el) => {
    if (!el || el.nodeType !== 1) return String(el);
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    const cls = typeof el.className === 'string' ? el.className.trim().split(/\s+/).filter(Boolean).slice(0, 3) : [];
    if (cls.length) s += '.' + cls.join('.');
    return s;
  };
  const isDisabled = (el) => {
    if (el.disabled === true) return true;
    const fs = el.closest && el.closest('fieldset[disabled]');
    if (fs && !(fs.querySelector('legend') && fs.querySelector('legend').contains(el))) return true;
    return el.getAttribute && el.getAttribute('aria-disabled') === 'true';
  };
  // A control disabled only by a class (Bootstrap's .btn.disabled, BEM's btn--disabled, is-disabled, Mui-disabled):
  // a class token that is or ends in "disabled", on the element or the control it is inside, counts when the page
  // also styles it as disabled: cursor: not-allowed, pointer-events: none, or opacity at most 0.7. The class alone
  // is not enough (a "disabled" marker a page never styles is no sign to a user). Returns why, or ''.
  const disabledClass = (el) => {
    const ctl = (el.closest && el.closest('a,button,input,select,textarea,summary,[role=button],[role=link],[role=menuitem],[role=tab],[role=checkbox],[role=radio],[role=option],[role=switch]')) || el;
    for (const e of ctl === el ? [el] : [el, ctl]) {
      const token = [...(e.classList || [])].find((c) => /(^|[-_])disabled$/i.test(c));
      if (!token) continue;
      const cs = (e.ownerDocument.defaultView || window).getComputedStyle(e);
      const signs = [];
      if (cs.cursor === 'not-allowed') signs.push('cursor: not-allowed');
      if (cs.pointerEvents === 'none') signs.push('pointer-events: none');
      if (Number(cs.opacity) <= 0.7) signs.push('opacity: ' + cs.opacity);
      if (signs.length > 0) return 'class "' + token + '"' + (e === el ? '' : ' on ' + label(e)) + ', styled as disabled (' + signs.join(', ') + ')';
    }
    return '';
  };
  // Fields whose value is a secret (passwords, PINs, one-time codes, card codes): bdg never prints their value.
  const MASK = '\u2022\u2022\u2022\u2022\u2022\u2022';
  const isSecret = (el) => {
    if (el.tagName !== 'INPUT') return false;
    if ((el.getAttribute('type') || '').toLowerCase() === 'password') return true;
    if (/one-time-code|current-password|new-password|cc-number|cc-csc/i.test(el.getAttribute('autocomplete') || '')) return true;
    return /(^|[-_\s])(pin|otp|passcode|password|passwd|cvc|cvv)([-_\s]|$)/i.test((el.getAttribute('name') || '') + ' ' + (el.id || ''));
  };
  const HEADINGS = { H1: 1, H2: 2, H3: 3, H4: 4, H5: 5, H6: 6 };
  const TAG_ROLES = { BUTTON: 'button', TEXTAREA: 'textbox', NAV: 'navigation', MAIN: 'main', FORM: 'form', UL: 'list', OL: 'list', LI: 'listitem',
    TABLE: 'table', TR: 'row', TD: 'cell', TH: 'columnheader', DIALOG: 'dialog', HEADER: 'banner', FOOTER: 'contentinfo', ASIDE: 'complementary',
    P: 'paragraph', OPTION: 'option', PROGRESS: 'progressbar', ARTICLE: 'article', FIELDSET: 'group', SUMMARY: 'button', LABEL: 'label' };
  const INPUT_ROLES = { button: 'button', submit: 'button', reset: 'button', image: 'button', checkbox: 'checkbox', radio: 'radio', range: 'slider',
    number: 'spinbutton', search: 'searchbox', email: 'textbox', tel: 'textbox', text: 'textbox', url: 'textbox', password: 'textbox' };
  // The explicit role, else the usual implicit one of the tag (ARIA in HTML), else none.
  const roleOf = (el) => {
    const explicit = (el.getAttribute('role') || '').trim().split(/\s+/)[0];
    if (explicit) return explicit;
    const t = el.tagName;
    if (t === 'A' || t === 'AREA') return el.hasAttribute('href') ? 'link' : undefined;
    if (t === 'INPUT') return INPUT_ROLES[(el.getAttribute('type') || 'text').toLowerCase()] || (el.type === 'text' ? 'textbox' : undefined);
    if (t === 'SELECT') return el.multiple || el.size > 1 ? 'listbox' : 'combobox';
    if (t === 'IMG') return el.getAttribute('alt') === '' ? 'presentation' : 'img';
    if (HEADINGS[t]) return 'heading';
    return TAG_ROLES[t];
  };
  const info = (el) => {
    const secret = isSecret(el);
    const attrs = {};
    for (const a of ['type', 'name', 'role', 'href', 'placeholder', 'aria-label', 'value', 'for', 'title', 'alt']) {
      const v = el.getAttribute(a);
      if (v != null && v !== '') attrs[a] = secret && a === 'value' ? MASK : v.length > 80 ? v.slice(0, 79) + '\u2026' : v;
    }
    let text = textOf(el);
    if (el.tagName === 'SELECT') text = norm([...el.selectedOptions].map((o) => o.label || o.text).join(', '));
    else if (text === '' && (el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && !['checkbox', 'radio', 'file'].includes(el.type)))) text = secret && el.value !== '' ? MASK : norm(el.value);
    const out = {
      tag: el.tagName.toLowerCase(),
      id: el.id || undefined,
      classes: typeof el.className === 'string' ? el.className.trim().split(/\s+/).filter(Boolean) : [],
      text: text.length > 80 ? text.slice(0, 79) + '\u2026' : text,
      visible: isVisible(el),
      attrs,
    };
    const role = roleOf(el);
    if (role) out.role = role;
    if (isDisabled(el)) out.disabled = true;
    if (el.getRootNode() instanceof el.ownerDocument.defaultView.ShadowRoot) out.inShadowRoot = true;
    const fe = el.ownerDocument.defaultView.frameElement;
    if (fe) out.frame = label(fe) + (fe.getAttribute('src') ? '[src=' + fe.getAttribute('src') + ']' : '');
    return out;
  };
  const nextFrame = () => new Promise((r) => { const t = setTimeout(r, 50); requestAnimationFrame(() => { clearTimeout(t); setTimeout(r, 0); }); });
`;

/** `(selector)` on the document -> Array of matching elements. Throws SyntaxError for a bad selector. */
export const QUERY_FN = `function (selector) { ${LIB} return query(selector); }`;

/** `this` = Array of elements -> by-value descriptions of the first `limit`. */
export const DESCRIBE_ALL_FN = `function (limit) { ${LIB} return this.slice(0, limit).map(info); }`;

/** `this` = element -> description. */
export const DESCRIBE_FN = `function () { ${LIB} return info(this); }`;

/** `this` = element -> description plus bounded outerHTML and all attributes. */
export const GET_FN = `function (maxLength) { ${LIB}
  const secret = isSecret(this);
  let html = this.outerHTML;
  // A secret's value attribute is masked in its own start tag (the first tag of outerHTML).
  if (secret) html = html.replace(/^(<[^>]*?\\svalue=)("[^"]*"|'[^']*'|[^\\s>]+)/i, '$1"' + MASK + '"');
  const attributes = {};
  for (const a of this.attributes) attributes[a.name] = secret && a.name === 'value' ? MASK : a.value;
  const r = topRect(this);
  const out = { ...info(this), attributes, outerHTML: html.length > maxLength ? html.slice(0, maxLength) : html, outerHTMLLength: html.length, truncated: html.length > maxLength, box: { x: Math.round(r.x), y: Math.round(r.y), width: Math.round(r.width), height: Math.round(r.height) } };
  if ('value' in this && typeof this.value === 'string') out.value = secret && this.value !== '' ? MASK : this.value;
  if (secret) out.secret = true;
  if ('checked' in this && typeof this.checked === 'boolean' && (this.type === 'checkbox' || this.type === 'radio')) out.checked = this.checked;
  return out;
}`;

/**
 * `this` = element -> the original bdg's `dom get --raw` node: tag, attributes, classes and outerHTML cut at
 * maxLength (no cut when negative), a secret's value masked as in GET_FN.
 */
export const RAW_GET_FN = `function (maxLength) { ${LIB}
  const secret = isSecret(this);
  let html = this.outerHTML;
  if (secret) html = html.replace(/^(<[^>]*?\\svalue=)("[^"]*"|'[^']*'|[^\\s>]+)/i, '$1"' + MASK + '"');
  const out = { tag: this.localName };
  if (this.attributes.length > 0) {
    out.attributes = {};
    for (const a of this.attributes) out.attributes[a.name] = secret && a.name === 'value' ? MASK : a.value;
  }
  if (this.classList.length > 0) out.classes = [...this.classList];
  const cut = maxLength >= 0 && html.length > maxLength;
  out.outerHTML = cut ? html.slice(0, maxLength) : html;
  if (cut) out.truncatedFrom = html.length;
  if (secret) out.secret = true;
  return out;
}`;

/**
 * `this` = element -> scrolls it into view when needed, then reports whether a pointer can reach it: the centre
 * point in top-level viewport coordinates, or the reason it cannot (detached, hidden, disabled, covered).
 */
export const ACTIONABLE_FN = `async function (needEnabled, needHit) { ${LIB}
  if (!this.isConnected) return { ok: false, reason: 'detached' };
  if (!isVisible(this)) return { ok: false, reason: 'hidden' };
  if (needEnabled && isDisabled(this)) return { ok: false, reason: 'disabled', by: this.disabled === true || this.closest('fieldset[disabled]') ? 'the disabled attribute' : 'aria-disabled="true"' };
  const byClass = needEnabled ? disabledClass(this) : '';
  if (byClass) return { ok: false, reason: 'disabled', by: byClass };
  // pointer-events: none lets a click through to whatever is below: say so rather than "covered by" that element.
  if (needHit && (this.ownerDocument.defaultView || window).getComputedStyle(this).pointerEvents === 'none') return { ok: false, reason: 'no-pointer-events' };
  if (typeof this.scrollIntoViewIfNeeded === 'function') this.scrollIntoViewIfNeeded(true); else this.scrollIntoView({ block: 'center', inline: 'center' });
  await nextFrame();
  const r = topRect(this);
  const x = r.x + r.width / 2, y = r.y + r.height / 2;
  const top = topDoc().defaultView;
  if (x < 0 || y < 0 || x > top.innerWidth || y > top.innerHeight) return { ok: false, reason: 'outside-viewport', x, y };
  if (needHit) {
    const target = this;
    // A click there reaches the target, or does what clicking it does: the hit is inside it, is its own
    // label/control (a label over its transparent checkbox, the styled box inside the checkbox's label), or is an
    // ancestor's box that takes no input of its own (the target lets pointer events through to it).
    const INTERACTIVE = ['A', 'BUTTON', 'INPUT', 'SELECT', 'TEXTAREA', 'LABEL', 'SUMMARY', 'OPTION', 'DETAILS', 'IFRAME', 'VIDEO', 'AUDIO'];
    const interactive = (el) => INTERACTIVE.includes(el.tagName) || el.hasAttribute('onclick') || el.hasAttribute('tabindex') || el.isContentEditable ||
      ['button', 'link', 'checkbox', 'radio', 'switch', 'menuitem', 'tab', 'option', 'textbox', 'combobox', 'slider'].includes(el.getAttribute('role') || '');
    const pairOf = (el) => {
      const out = [];
      if (el.tagName === 'LABEL' && el.control) out.push(el.control);
      if (el.labels) for (const l of el.labels) out.push(l);
      return out;
    };
    const reaches = (hit) => {
      if (!hit || containsComposed(target, hit)) return 'inside';
      for (const p of pairOf(target)) if (containsComposed(p, hit)) return 'pair';
      if (containsComposed(hit, target)) {
        let a = target;
        for (let i = 0; a && i < 10000; i++) {
          if (a === hit) return interactive(hit) ? '' : 'ancestor';
          a = a.parentElement || (a.parentNode && a.parentNode.host) || null;
        }
      }
      return '';
    };
    let hit = deepHit(x, y);
    let how = reaches(hit);
    if (how === '' || how === 'ancestor') {
      // The centre of the box may miss the element (an inline label on two lines, text beside a floated box):
      // try the centres of its line boxes and of its text before settling for the covered or ancestor answer.
      const rects = [...this.getClientRects()];
      const range = this.ownerDocument.createRange();
      range.selectNodeContents(this);
      rects.push(...range.getClientRects());
      const r0 = topRect(this);
      const dx = r0.x - this.getBoundingClientRect().left, dy = r0.y - this.getBoundingClientRect().top;
      for (const rc of rects.slice(0, 20)) {
        if (rc.width < 1 || rc.height < 1) continue;
        const cx = rc.left + dx + rc.width / 2, cy = rc.top + dy + rc.height / 2;
        if (cx < 0 || cy < 0 || cx > top.innerWidth || cy > top.innerHeight) continue;
        const h = deepHit(cx, cy);
        const w = reaches(h);
        if (w === 'inside' || w === 'pair') return { ok: true, x: cx, y: cy, via: w };
      }
    }
    if (how === '') return { ok: false, reason: 'covered', by: label(hit), x, y };
    if (how !== 'inside') return { ok: true, x, y, via: how };
  }
  return { ok: true, x, y };
}`;

/** `this` = element -> what kind of fill it takes. */
export const FILL_KIND_FN = `function () { ${LIB}
  const tag = this.tagName;
  if (isSecret(this)) return { kind: 'text', type: (this.type || 'text').toLowerCase(), readOnly: this.readOnly, secret: true };
  if (tag === 'SELECT') return { kind: 'select', multiple: this.multiple };
  if (tag === 'TEXTAREA') return { kind: 'text', readOnly: this.readOnly };
  if (tag === 'INPUT') {
    const t = (this.type || 'text').toLowerCase();
    if (t === 'checkbox' || t === 'radio') return { kind: t, checked: this.checked };
    if (t === 'file') return { kind: 'file' };
    if (['text', 'search', 'email', 'url', 'tel', 'password', 'number'].includes(t)) return { kind: 'text', type: t, readOnly: this.readOnly };
    if (['button', 'submit', 'reset', 'image', 'hidden'].includes(t)) return { kind: 'none', type: t };
    return { kind: 'value', type: t, readOnly: this.readOnly };
  }
  if (this.isContentEditable) return { kind: 'contenteditable' };
  return { kind: 'none', tag: tag.toLowerCase() };
}`;

/** `this` = element -> a label's form control (label.control), else null: fill and press act on what a label names. */
export const LABEL_CONTROL_FN = `function () { return this.tagName === 'LABEL' && this.control ? this.control : null; }`;

/** `this` = text-like element -> focuses it and selects its content, so typed text replaces it. */
export const FOCUS_SELECT_FN = `function () {
  this.focus();
  if (this.isContentEditable && !('value' in this)) {
    const sel = this.ownerDocument.getSelection();
    const range = this.ownerDocument.createRange();
    range.selectNodeContents(this);
    sel.removeAllRanges(); sel.addRange(range);
    return;
  }
  try { this.select(); } catch (e) { /* some input types have no selection */ }
}`;

/**
 * \`this\` = input/textarea -> sets the value through the prototype's setter (bypassing any per-instance value
 * tracker such as React's) and fires input + change, which is what frameworks listen to.
 */
export const SET_VALUE_FN = `function (value, fireChange) {
  const proto = this.tagName === 'TEXTAREA' ? HTMLTextAreaElement.prototype : this.tagName === 'SELECT' ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
  const setter = Object.getOwnPropertyDescriptor(proto, 'value').set;
  setter.call(this, value);
  this.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  if (fireChange) this.dispatchEvent(new Event('change', { bubbles: true }));
  return this.value;
}`;

/** `this` = element -> fires change (after typing; browsers fire it on blur, frameworks with lazy binding wait for it). */
export const FIRE_CHANGE_FN = `function () { this.dispatchEvent(new Event('change', { bubbles: true })); return 'value' in this ? this.value : this.textContent; }`;

/** `this` = select -> picks the option whose value or label matches. */
export const SELECT_OPTION_FN = `function (wanted) {
  const norm = (s) => String(s).replace(/\\s+/g, ' ').trim();
  const opts = [...this.options];
  const opt = opts.find((o) => o.value === wanted) || opts.find((o) => norm(o.label || o.text) === norm(wanted)) || opts.find((o) => norm(o.label || o.text).toLowerCase() === norm(wanted).toLowerCase());
  if (!opt) return { ok: false, options: opts.slice(0, 30).map((o) => ({ value: o.value, label: norm(o.label || o.text) })) };
  this.focus();
  const proto = HTMLSelectElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value').set.call(this, opt.value);
  opt.selected = true;
  this.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  this.dispatchEvent(new Event('change', { bubbles: true }));
  return { ok: true, value: opt.value, label: norm(opt.label || opt.text) };
}`;

/** `this` = checkbox/radio -> sets checked without a click (radio "false" cannot be reached by clicking). */
export const SET_CHECKED_FN = `function (checked) {
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'checked').set.call(this, checked);
  this.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  this.dispatchEvent(new Event('change', { bubbles: true }));
  return this.checked;
}`;

/** `this` = element -> reads value/checked after a fill. */
export const READ_VALUE_FN = `function () { return { value: 'value' in this ? String(this.value) : this.textContent, checked: 'checked' in this ? this.checked : undefined }; }`;

/** `this` = element -> focuses it (for press). */
export const FOCUS_FN = `function () { this.focus(); return this.ownerDocument.activeElement === this || this.contains(this.ownerDocument.activeElement); }`;

/** `this` = input/textarea -> what a fill needs to judge the browser's answer: value, maxlength, validity. */
export const FILL_STATE_FN = `function () {
  const v = this.validity;
  return {
    value: 'value' in this ? String(this.value) : String(this.textContent),
    maxLength: typeof this.maxLength === 'number' ? this.maxLength : -1,
    badInput: !!(v && v.badInput),
    rangeOverflow: !!(v && v.rangeOverflow),
    rangeUnderflow: !!(v && v.rangeUnderflow),
    validationMessage: this.validationMessage || '',
  };
}`;

// A form's own properties read through HTMLFormElement.prototype: a control named "action" or "method" shadows them.
const FORM_LIB = String.raw`
  const formProp = (form, name) => Object.getOwnPropertyDescriptor(HTMLFormElement.prototype, name).get.call(form);
  const firstInvalid = (form) => {
    if (formProp(form, 'noValidate')) return null;
    for (const e of formProp(form, 'elements')) if (e.willValidate && !e.validity.valid) return e;
    return null;
  };
  const blockedBy = (el) => ({ field: label(el), ...(el.name ? { name: el.name } : {}), validationMessage: el.validationMessage || 'invalid value' });
`;

/**
 * \`this\` = element -> its form (the element itself or its form owner), submitted like the user pressed submit
 * (requestSubmit: validation, submit event). \`submitted\` says whether the submit event fired; when the browser's
 * validation stopped it, \`blocked\` names the first invalid field and the browser's message.
 */
export const SUBMIT_FN = `function () { ${LIB} ${FORM_LIB}
  const form = this.tagName === 'FORM' ? this : this.form || (this.closest && this.closest('form'));
  if (!form) return { ok: false };
  const invalid = firstInvalid(form);
  let fired = false;
  const onSubmit = () => { fired = true; };
  window.addEventListener('submit', onSubmit, true);
  try { HTMLFormElement.prototype.requestSubmit.call(form); } finally { window.removeEventListener('submit', onSubmit, true); }
  const out = { ok: true, action: formProp(form, 'action'), method: String(formProp(form, 'method') || 'get').toUpperCase(), submitted: fired };
  if (!fired && invalid) out.blocked = blockedBy(invalid);
  return out;
}`;

/**
 * On the document: \`start\` records submit and invalid events (capture, so the page cannot stop them first) in
 * bdg's world; \`stop\` ends that and answers the first invalid field when validation blocked a submission (an
 * invalid event and no submit), else null. Around a click or a key press that may submit a form.
 */
export const SUBMIT_WATCH_FN = `function (phase) { ${LIB} ${FORM_LIB}
  const prev = window.__bdgSubmitWatch;
  if (prev) { prev.stop(); delete window.__bdgSubmitWatch; }
  if (phase === 'start') {
    const st = { submits: 0, invalid: [] };
    const onSubmit = () => { st.submits++; };
    const onInvalid = (e) => { if (st.invalid.length < 5) st.invalid.push(e.target); };
    window.addEventListener('submit', onSubmit, true);
    window.addEventListener('invalid', onInvalid, true);
    st.stop = () => { window.removeEventListener('submit', onSubmit, true); window.removeEventListener('invalid', onInvalid, true); };
    window.__bdgSubmitWatch = st;
    return null;
  }
  if (!prev || prev.submits > 0 || prev.invalid.length === 0) return null;
  return blockedBy(prev.invalid[0]);
}`;

/** `this` = element -> scrolled to the centre of the viewport. */
export const SCROLL_TO_FN = `async function () { ${LIB} this.scrollIntoView({ block: 'center', inline: 'nearest' }); await nextFrame(); const w = topDoc().defaultView; return { x: Math.round(w.scrollX), y: Math.round(w.scrollY) }; }`;

/** Scroll the top-level window (`x`/`y` may be null to keep that axis; `bottom` scrolls to the end). */
export const SCROLL_WINDOW_FN = `async function (x, y, bottom, top, dx, dy) { ${LIB}
  const el = document.scrollingElement || document.documentElement;
  if (bottom) window.scrollTo(window.scrollX, el.scrollHeight);
  else if (top) window.scrollTo(window.scrollX, 0);
  else if (dx !== 0 || dy !== 0) window.scrollBy(dx, dy);
  else window.scrollTo(x == null ? window.scrollX : x, y == null ? window.scrollY : y);
  await nextFrame();
  return { x: Math.round(window.scrollX), y: Math.round(window.scrollY), height: el.scrollHeight, viewportHeight: window.innerHeight };
}`;

/**
 * `(selector, text, target, mode, load)` -> for \`dom wait\`: whether a visible element matches the selector, the text
 * is visible somewhere, the target is present / visible / gone (none, or none visible with --visible), the load is done.
 */
export const WAIT_CHECK_FN = `function (selector, text, target, mode, load) { ${LIB}
  const out = {};
  if (selector != null) out.selector = query(selector).some(isVisible);
  if (text != null) out.text = query('text=' + text).some(isVisible);
  if (target != null) {
    const els = query(target);
    if (mode === 'present') out.element = els.length > 0;
    else if (mode === 'visible') out.element = els.some(isVisible);
    else if (mode === 'gone') out.gone = els.length === 0;
    else out.gone = !els.some(isVisible);
  }
  if (load) out.load = document.readyState === 'complete';
  return out;
}`;

/** `this` = element -> its box in page coordinates (for an element screenshot). */
export const PAGE_RECT_FN = `async function () { ${LIB}
  if (typeof this.scrollIntoViewIfNeeded === 'function') this.scrollIntoViewIfNeeded(true);
  await nextFrame();
  const r = topRect(this); const w = topDoc().defaultView;
  return { x: r.x + w.scrollX, y: r.y + w.scrollY, width: r.width, height: r.height };
}`;
