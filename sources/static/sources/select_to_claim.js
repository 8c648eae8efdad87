/*
 * Source reader: select a passage to make it a span or a claim's evidence; click a
 * highlighted passage to see its spans and what cites them.
 *
 * Offsets sent to the server are Unicode code points (Python str indices). The browser
 * counts UTF-16 code units, so a character outside the BMP (an emoji) is two units here
 * and one code point there: every offset is converted by iterating the text, which steps
 * one code point at a time. The quote is sent along and the server checks it against
 * the text at those offsets, so a wrong conversion is refused, never stored.
 *
 * Plain script, no dependencies; all text is inserted with textContent, never as HTML.
 */
(function () {
  "use strict";

  /** Number of code points in a string (a surrogate pair counts once). */
  function codePointLength(text) {
    let count = 0;
    for (const _ of text) count += 1;  // eslint-disable-line no-unused-vars
    return count;
  }

  function isSpace(character) {
    return /\s/.test(character);
  }

  /**
   * The part of the current selection inside `container`, as
   * {start, end, quote} in code points, trimmed of surrounding white space; null when
   * nothing of the container is selected.
   */
  function selectionOffsets(container, selection) {
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    const selected = selection.getRangeAt(0);
    const whole = document.createRange();
    whole.selectNodeContents(container);
    // Clamp the selection to the container: it may run past the text's edges.
    if (selected.compareBoundaryPoints(Range.END_TO_START, whole) >= 0) return null;
    if (selected.compareBoundaryPoints(Range.START_TO_END, whole) <= 0) return null;
    const clamped = selected.cloneRange();
    if (clamped.compareBoundaryPoints(Range.START_TO_START, whole) < 0) {
      clamped.setStart(whole.startContainer, whole.startOffset);
    }
    if (clamped.compareBoundaryPoints(Range.END_TO_END, whole) > 0) {
      clamped.setEnd(whole.endContainer, whole.endOffset);
    }
    const before = document.createRange();
    before.setStart(whole.startContainer, whole.startOffset);
    before.setEnd(clamped.startContainer, clamped.startOffset);
    // Range.toString() concatenates the text nodes: the same units as textContent.
    const text = container.textContent;
    let startUnit = before.toString().length;
    let endUnit = startUnit + clamped.toString().length;
    while (startUnit < endUnit && isSpace(text[startUnit])) startUnit += 1;
    while (endUnit > startUnit && isSpace(text[endUnit - 1])) endUnit -= 1;
    if (startUnit >= endUnit) return null;
    const quote = text.slice(startUnit, endUnit);
    const start = codePointLength(text.slice(0, startUnit));
    return { start: start, end: start + codePointLength(quote), quote: quote, startUnit: startUnit, endUnit: endUnit };
  }

  /** A DOM range over UTF-16 units [startUnit, endUnit) of the container's text. */
  function rangeOfUnits(container, startUnit, endUnit) {
    const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    let seen = 0;
    let node;
    let started = false;
    while ((node = walker.nextNode())) {
      const length = node.data.length;
      if (!started && startUnit < seen + length) {
        range.setStart(node, startUnit - seen);
        started = true;
      }
      if (started && endUnit <= seen + length) {
        range.setEnd(node, endUnit - seen);
        return range;
      }
      seen += length;
    }
    return null;
  }

  /**
   * Keep the chosen passage visibly marked while the person types the claim (typing moves
   * the browser's own selection away). The CSS Custom Highlight API paints it without
   * touching the DOM, whose text must stay exactly the source text.
   */
  function paintSelection(container, current) {
    if (!(window.CSS && CSS.highlights && window.Highlight)) return;
    CSS.highlights.delete("cb-selection");
    if (!current) return;
    const range = rangeOfUnits(container, current.startUnit, current.endUnit);
    if (range) CSS.highlights.set("cb-selection", new Highlight(range));
  }

  function shorten(text, limit) {
    const points = Array.from(text);
    return points.length <= limit ? text : points.slice(0, limit - 1).join("") + "…";
  }

  function setUpSelection(container, form) {
    const field = function (name) { return form.querySelector('input[name="' + name + '"]'); };
    const role = function (name) { return form.querySelector('[data-role="' + name + '"]'); };
    const buttons = form.querySelectorAll('[data-role="make-span"], [data-role="open-extension"]');

    function show(current) {
      field("start").value = current ? current.start : "";
      field("end").value = current ? current.end : "";
      field("quote").value = current ? current.quote : "";
      role("hint").hidden = Boolean(current);
      role("current").hidden = !current;
      role("clear").hidden = !current;
      buttons.forEach(function (button) { button.disabled = !current; });
      paintSelection(container, current);
      if (current) {
        role("quote").textContent = shorten(current.quote, 160);
        role("offsets").textContent =
          "characters " + current.start + "–" + current.end + " (" + (current.end - current.start) + ")";
      } else {
        form.querySelectorAll("[data-extension-panel]").forEach(function (panel) { panel.hidden = true; });
      }
    }

    // A selection is kept until another one is made inside the text: clicking a button
    // or typing the claim collapses the browser's selection, not ours.
    let pending = null;
    document.addEventListener("selectionchange", function () {
      clearTimeout(pending);
      pending = setTimeout(function () {
        const current = selectionOffsets(container, window.getSelection());
        if (current) show(current);
      }, 60);
    });
    role("clear").addEventListener("click", function () { show(null); });
    form.querySelectorAll('[data-role="open-extension"]').forEach(function (button) {
      button.addEventListener("click", function () {
        const panel = document.getElementById(button.dataset.target);
        if (!panel) return;
        panel.hidden = !panel.hidden;
        const first = panel.querySelector("textarea, input, select");
        if (!panel.hidden && first) first.focus();
      });
    });
    form.addEventListener("submit", function (event) {
      if (!field("quote").value) event.preventDefault();
    });
    show(null);
  }

  function setUpPopover(container, spans) {
    const popover = document.createElement("div");
    popover.className = "cb-popover";
    popover.setAttribute("role", "dialog");
    popover.hidden = true;
    document.body.appendChild(popover);

    function element(tag, className, text) {
      const node = document.createElement(tag);
      if (className) node.className = className;
      if (text !== undefined) node.textContent = text;
      return node;
    }

    function open(mark) {
      popover.replaceChildren();
      (mark.dataset.spans || "").split(" ").forEach(function (id) {
        const span = spans[id];
        if (!span) return;
        const item = element("div", "cb-popover-item");
        const head = element("a", "cb-popover-quote", "“" + shorten(span.quote, 140) + "”");
        head.href = span.url;
        item.appendChild(head);
        item.appendChild(element("div", "cb-popover-meta", "Span #" + span.id + " · " + span.start + "–" + span.end + " · " + span.state));
        const list = element("ul", "cb-popover-links");
        if (span.links.length === 0) list.appendChild(element("li", "cb-quiet", "Not cited yet."));
        span.links.forEach(function (link) {
          const row = element("li");
          const anchor = element("a", "", link.label);
          anchor.href = link.url;
          row.appendChild(anchor);
          if (link.badge) row.appendChild(element("span", "cb-badge cb-status-" + link.badge, link.badge_label || link.badge));
          list.appendChild(row);
        });
        item.appendChild(list);
        popover.appendChild(item);
      });
      const box = mark.getBoundingClientRect();
      popover.hidden = false;
      popover.style.top = (window.scrollY + box.bottom + 6) + "px";
      popover.style.left = Math.max(8, Math.min(window.scrollX + box.left, window.scrollX + document.documentElement.clientWidth - popover.offsetWidth - 8)) + "px";
    }

    container.addEventListener("click", function (event) {
      const mark = event.target.closest("mark.cb-mark");
      const selection = window.getSelection();
      if (!mark || (selection && !selection.isCollapsed)) return;
      event.stopPropagation();
      open(mark);
    });
    container.addEventListener("keydown", function (event) {
      const mark = event.target.closest && event.target.closest("mark.cb-mark");
      if (mark && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        open(mark);
      }
    });
    document.addEventListener("click", function (event) {
      if (!popover.contains(event.target)) popover.hidden = true;
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") popover.hidden = true;
    });
  }

  function highlightTarget(container) {
    const match = /^#span-(\d+)$/.exec(window.location.hash);
    if (!match) return;
    let first = null;
    container.querySelectorAll("mark.cb-mark").forEach(function (mark) {
      if ((" " + mark.dataset.spans + " ").indexOf(" " + match[1] + " ") !== -1) {
        mark.classList.add("cb-mark-current");
        first = first || mark;
      }
    });
    if (first) first.scrollIntoView({ block: "center" });
  }

  function start() {
    const container = document.getElementById("source-text");
    if (!container) return;
    const data = document.getElementById("cb-span-data");
    const spans = data ? JSON.parse(data.textContent) : {};
    const form = document.getElementById("cb-selection");
    if (form) setUpSelection(container, form);
    setUpPopover(container, spans);
    highlightTarget(container);
  }

  window.Claimbase = Object.assign(window.Claimbase || {}, {
    selectionOffsets: selectionOffsets,
    codePointLength: codePointLength,
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
