// The query editor: a textarea over a mirror of its text, so that an error
// can be marked at its line and column and the completion list placed at the
// caret. Completion asks the server (GET /v1/complete: the REPL's rule and
// vocabulary, query/completion.h); nothing about the language lives here.
//   Tab / Ctrl+Space  complete the word before the caret (one candidate is
//                     inserted; several open a list: arrows, Enter/Tab, Esc)
//   Ctrl+Enter        run
// showError(err) marks line:column (1-based, column in bytes as the server
// counts) with a wavy line, puts the caret there and shows the message.
'use strict';

class QueryEditor {
  constructor(host, options) {
    this.options = options || {};
    host.classList.add('editor');
    const make = (tag, props) => Object.assign(document.createElement(tag), props);
    this.backdrop = make('div', {className: 'backdrop'});
    this.input = make('textarea', {className: 'input', spellcheck: false, autocomplete: 'off',
                                   rows: 6, id: 'query-input'});
    this.input.setAttribute('autocapitalize', 'off');
    this.input.setAttribute('aria-label', 'statement');
    this.bubble = make('div', {className: 'error-bubble', hidden: true, id: 'error-bubble'});
    this.popup = make('ul', {className: 'completions', hidden: true, id: 'completions'});
    host.append(this.backdrop, this.input, this.bubble, this.popup);
    this.errorOffset = -1;
    this.choices = [];
    this.active = 0;
    this.input.addEventListener('input', () => { this.clearError(); this.closePopup(); });
    this.input.addEventListener('scroll', () => { this.backdrop.scrollTop = this.input.scrollTop; this.placeBubble(); });
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    // Closed a moment after the focus leaves (a click on a candidate lands first), and only
    // if it has not come back: a blur from an earlier click (Run) must not close a list
    // opened since (web_ui_browser's completion pick lost that race in CI).
    this.input.addEventListener('blur', () => setTimeout(() => {
      if (document.activeElement !== this.input) this.closePopup();
    }, 150));
  }

  get value() { return this.input.value; }
  set value(text) { this.input.value = text; this.clearError(); }
  focus() { this.input.focus(); }

  // --- the mirror ----------------------------------------------------------

  // Renders the mirror; with `marker` >= 0, a span at that offset (a <mark>
  // over the character for an error, an empty probe for the caret).
  mirror(marker, tag) {
    const text = this.input.value;
    this.backdrop.replaceChildren();
    if (marker < 0) {
      this.backdrop.textContent = text + '\n';
      return null;
    }
    const span = document.createElement(tag);
    const char = text.slice(marker, marker + 1);
    span.textContent = tag === 'mark' ? (char && char !== '\n' ? char : ' ') : '';
    const rest = tag === 'mark' && char && char !== '\n' ? marker + 1 : marker;
    this.backdrop.append(text.slice(0, marker), span, text.slice(rest) + '\n');
    this.backdrop.scrollTop = this.input.scrollTop;
    return span;
  }

  // Pixel position (relative to the editor) just below offset `at`.
  pointAt(at, tag) {
    const span = this.mirror(at, tag || 'span');
    const point = {left: span.offsetLeft, top: span.offsetTop + span.offsetHeight - this.input.scrollTop};
    if (tag !== 'mark') this.mirror(this.errorOffset, 'mark');
    return point;
  }

  // --- errors at the caret ------------------------------------------------

  // The offset in the text (UTF-16 units) of a 1-based line and column; the
  // server counts the column in characters (code points: docs/query-language.md).
  offsetOf(line, column) {
    const lines = this.input.value.split('\n');
    let offset = 0;
    for (let i = 0; i < Math.min(line - 1, lines.length - 1); ++i) offset += lines[i].length + 1;
    const text = lines[Math.min(line - 1, lines.length - 1)] || '';
    let characters = 0, i = 0;
    while (i < text.length && characters < column - 1) {
      i += text.codePointAt(i) > 0xFFFF ? 2 : 1;
      ++characters;
    }
    return offset + i;
  }

  showError(err) {
    if (!err.line) return false;
    this.errorOffset = this.offsetOf(err.line, err.column || 1);
    this.bubble.textContent = `line ${err.line}, column ${err.column}: ${err.message}`;
    this.bubble.hidden = false;
    this.placeBubble();
    this.input.focus();
    this.input.setSelectionRange(this.errorOffset, this.errorOffset);
    return true;
  }

  placeBubble() {
    if (this.errorOffset < 0) return;
    const mark = this.mirror(this.errorOffset, 'mark');
    this.bubble.style.left = Math.max(0, mark.offsetLeft - 8) + 'px';
    this.bubble.style.top = (mark.offsetTop + mark.offsetHeight - this.input.scrollTop + 4) + 'px';
  }

  clearError() {
    this.errorOffset = -1;
    this.bubble.hidden = true;
    this.mirror(-1);
  }

  // --- completion --------------------------------------------------------

  async complete() {
    const caret = this.input.selectionStart;
    const before = this.input.value.slice(0, caret);
    let answer;
    try {
      answer = await Api.complete(before);
    } catch (e) {
      return;  // completion is a help, never an error
    }
    // The server counts bytes; the prefix it names is what precedes the caret.
    const from = caret - answer.prefix.length;
    const list = answer.candidates;
    if (!list.length) return;
    if (list.length === 1) return this.insert(from, caret, list[0]);
    // Several: extend to their common prefix, then let the user pick.
    let common = list[0];
    for (const w of list) while (!w.toLowerCase().startsWith(common.toLowerCase())) common = common.slice(0, -1);
    if (common.length > answer.prefix.length) this.insert(from, caret, common);
    this.openPopup(from, list);
  }

  insert(from, to, word) {
    this.input.setRangeText(word, from, to, 'end');
    this.clearError();
  }

  openPopup(from, list) {
    this.choices = list;
    this.active = 0;
    this.from = from;
    this.popup.replaceChildren(...list.map((w, i) => {
      const li = Object.assign(document.createElement('li'), {textContent: w});
      li.addEventListener('mousedown', (e) => { e.preventDefault(); this.pick(i); });
      return li;
    }));
    const p = this.pointAt(this.input.selectionStart);
    this.popup.style.left = p.left + 'px';
    this.popup.style.top = (p.top + 2) + 'px';
    this.popup.hidden = false;
    this.highlight();
  }

  highlight() {
    [...this.popup.children].forEach((li, i) => li.classList.toggle('active', i === this.active));
    const li = this.popup.children[this.active];
    if (li) li.scrollIntoView({block: 'nearest'});
  }

  pick(i) {
    this.insert(this.from, this.input.selectionStart, this.choices[i]);
    this.closePopup();
    this.input.focus();
  }

  closePopup() {
    this.popup.hidden = true;
    this.choices = [];
  }

  onKey(e) {
    if (!this.popup.hidden) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        this.active = (this.active + (e.key === 'ArrowDown' ? 1 : this.choices.length - 1)) % this.choices.length;
        this.highlight();
        e.preventDefault();
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') { this.pick(this.active); e.preventDefault(); return; }
      if (e.key === 'Escape') { this.closePopup(); e.preventDefault(); return; }
    }
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      if (this.options.onRun) this.options.onRun();
      return;
    }
    const ctrlSpace = e.key === ' ' && e.ctrlKey;
    if ((e.key === 'Tab' && !e.shiftKey && this.input.selectionStart === this.input.selectionEnd) || ctrlSpace) {
      e.preventDefault();
      this.complete();
    }
  }
}
