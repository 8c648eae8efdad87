/*
 * Source reader: select a passage, type the claim it supports in the box that appears
 * (already focused), press Enter: a draft claim with that passage as evidence. Or make the
 * passage a span. Click a highlighted passage to see its spans and what cites them.
 *
 * Offsets sent to the server are Unicode code points (Python str indices). The browser
 * counts UTF-16 code units, so a character outside the BMP (an emoji) is two units here
 * and one code point there: every offset is converted by iterating the text, which steps
 * one code point at a time. The quote sent along is read from the page's text at those
 * offsets (the page's text is the source text, character for character); the server
 * checks it against the stored text, so a wrong conversion is refused, never stored.
 *
 * A passage is made of whole characters as a reader sees them (grapheme clusters, by
 * Intl.Segmenter): "é" written as "e" and U+0301, a flag, an emoji joined by U+200D are
 * each one character of several code points. A selection, or a place "Find words to cite"
 * found, is widened to whole characters, so that what is painted is what is cited; the
 * server refuses a span that begins or ends inside one (sources/graphemes.py). A passage
 * that begins or ends inside a word is allowed, and said in the selection bar, in the
 * scripts that put spaces between words (in Chinese, Japanese or Thai every place between
 * characters may end a passage).
 *
 * Nothing typed is lost: the page checks what it can before posting, posts with fetch and
 * shows a refusal beside the form, which keeps the selection and the text; the typing is
 * also kept in this browser's storage until the claim is made, so a reload or a crash
 * gives it back.
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

  const segmenter = function (granularity) {
    return window.Intl && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: granularity }) : null;
  };
  const graphemes = segmenter("grapheme");
  const words = segmenter("word");

  /** The segments of `text` by `by` (a Segmenter), kept for the last text asked. */
  const segmentsCache = new Map();
  function segmentsOf(by, text) {
    const kept = segmentsCache.get(by);
    if (kept && kept.text === text) return kept.segments;
    const segments = by.segment(text);
    segmentsCache.set(by, { text: text, segments: segments });
    return segments;
  }

  /** Whether UTF-16 unit `unit` of `text` falls between two characters (or at an end). */
  function isCharacterBoundary(text, unit) {
    if (!graphemes || unit <= 0 || unit >= text.length) return true;
    return segmentsOf(graphemes, text).containing(unit).index === unit;
  }

  /** [startUnit, endUnit) widened to whole characters of `text`. */
  function wholeCharacters(text, startUnit, endUnit) {
    if (graphemes) {
      const segments = segmentsOf(graphemes, text);
      if (startUnit > 0 && startUnit < text.length) startUnit = segments.containing(startUnit).index;
      if (endUnit > 0 && endUnit < text.length) {
        const last = segments.containing(endUnit - 1);
        endUnit = last.index + last.segment.length;
      }
    }
    return { startUnit: startUnit, endUnit: endUnit };
  }

  // Scripts written without spaces between words: a passage may begin or end between any
  // two of their characters (the word segmenter's dictionary words are no reader's unit).
  // Script_Extensions, so that the marks they share (ー, 々, 、) count as theirs.
  const UNSPACED = new RegExp("[" + [
    "Han", "Hiragana", "Katakana", "Bopomofo", "Yi", "Thai", "Lao", "Khmer", "Myanmar", "Tibetan",
    "Tai_Le", "New_Tai_Lue", "Tai_Tham", "Tai_Viet", "Javanese", "Balinese", "Sundanese",
  ].map(function (script) { return "\\p{scx=" + script + "}"; }).join("") + "]", "u");

  /** Whether the place at unit `unit` of `text` is next to a character of such a script. */
  function besideUnspaced(text, unit) {
    const characters = segmentsOf(graphemes, text);
    const before = unit > 0 ? characters.containing(unit - 1).segment : "";
    const after = unit < text.length ? characters.containing(unit).segment : "";
    return UNSPACED.test(before) || UNSPACED.test(after);
  }

  /**
   * The words that [startUnit, endUnit) of `text` cuts: {start, end}, each the whole word
   * the passage begins (ends) inside of, or null. A slip of the mouse ("eportedly ros"),
   * told, not corrected: a passage may need to. Not told beside a character of a script
   * written without spaces (UNSPACED).
   */
  function cutWords(text, startUnit, endUnit) {
    const cut = { start: null, end: null };
    if (!words) return cut;
    const segments = segmentsOf(words, text);
    if (startUnit > 0) {
      const first = segments.containing(startUnit);
      if (first && first.isWordLike && first.index < startUnit && !besideUnspaced(text, startUnit)) cut.start = first.segment;
    }
    if (endUnit < text.length) {
      const last = segments.containing(endUnit - 1);
      if (last && last.isWordLike && last.index + last.segment.length > endUnit && !besideUnspaced(text, endUnit)) cut.end = last.segment;
    }
    return cut;
  }

  /** {start, end, quote, startUnit, endUnit} of UTF-16 units [startUnit, endUnit) of `text`. */
  function passage(text, startUnit, endUnit) {
    const quote = text.slice(startUnit, endUnit);
    const start = codePointLength(text.slice(0, startUnit));
    return { start: start, end: start + codePointLength(quote), quote: quote, startUnit: startUnit, endUnit: endUnit };
  }

  /**
   * The part of the current selection inside `container`, as
   * {start, end, quote} in code points, trimmed of surrounding white space and widened to
   * whole characters; null when nothing of the container is selected.
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
    const widened = wholeCharacters(text, startUnit, endUnit);
    return passage(text, widened.startUnit, widened.endUnit);
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

  /** A <bdi> holding `text`: laid out in its own direction, apart from the words around it. */
  function isolated(text) {
    const element = document.createElement("bdi");
    element.textContent = text;
    return element;
  }

  // A text of scripts whose type has an italic (and of marks and digits shared by all).
  const SLANTS = /^[\p{scx=Latin}\p{scx=Greek}\p{scx=Cyrillic}\p{scx=Common}\p{scx=Inherited}]*$/u;

  function shorten(text, limit) {
    const points = Array.from(text.replace(/\s+/g, " "));
    return points.length <= limit ? points.join("") : points.slice(0, limit - 1).join("") + "…";
  }

  /** Go to `url`; a reload when only its fragment differs, so the page shows what changed. */
  function go(url) {
    const target = new URL(url, window.location.href);
    if (target.pathname === window.location.pathname && target.search === window.location.search) {
      if ("scrollRestoration" in history) history.scrollRestoration = "manual";
      window.location.hash = target.hash;
      window.location.reload();
    } else {
      window.location.assign(target.href);
    }
  }

  // Find: the typed words' places in the text whatever their case, accents and marks, as a
  // browser's find-in-page looks ("αθηνα" finds "Αθήνα", "Sao Paulo" finds "São Paulo",
  // Hebrew without niqqud finds the pointed word, Arabic without harakat the vowelled one;
  // marks typed are ignored too). Each code point of the text is folded on its own (lower
  // case; ß, ẞ and final ς as ss and σ; ligatures as their letters; canonical
  // decomposition; then without its nonspacing marks, category Mn, and without the Arabic
  // tatweel U+0640), and each unit of the fold remembers the code point it came from, so
  // that a place found in the fold maps back to the text's own offsets exactly, however
  // long a code point's fold is ("İ" lower-cased is two code units: a search in
  // text.toLowerCase() had selected the words after it a unit off). The place is then
  // widened to whole characters: the marks on its last letter are cited with it, the
  // tatweels after it are not. A place inside a Hangul syllable is none (findIn).
  const FOLDED_AS = { "ß": "ss", "ẞ": "ss", "ς": "σ", "ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st" };
  const IGNORED_MARKS = /[\p{Mn}\u0640]/gu;

  /** What a code point (or a typed string) is looked for as: see above. */
  function fold(text) {
    let folded = text.toLowerCase();
    if (/[ßẞςﬀ-ﬆ]/.test(folded)) folded = folded.replace(/[ßẞςﬀ-ﬆ]/g, function (letter) { return FOLDED_AS[letter]; });
    return folded.normalize("NFD").replace(IGNORED_MARKS, "");
  }

  /**
   * `text` folded code point by code point, and, for each unit of the fold, the first unit of
   * the code point of `text` it came from: {text, folded, starts}. Kept for the last text.
   * A run of ASCII (most of most texts) is folded at once, and each other code point once
   * per text: a megabyte of English in about 0.02 s, of Greek or Arabic in about 0.2 s.
   */
  let foldedCache = null;
  function foldedText(text) {
    if (foldedCache && foldedCache.text === text) return foldedCache;
    const parts = [];
    let starts = new Int32Array(text.length + 16);
    let length = 0;
    const known = new Map();
    let unit = 0;
    while (unit < text.length) {
      const code = text.charCodeAt(unit);
      let folded;
      let width;
      if (code < 0x80) {
        width = 1;
        while (unit + width < text.length && text.charCodeAt(unit + width) < 0x80) width += 1;
        folded = text.slice(unit, unit + width).toLowerCase();
      } else {
        const point = text.codePointAt(unit);
        width = point > 0xffff ? 2 : 1;
        folded = known.get(point);
        if (folded === undefined) {
          folded = fold(String.fromCodePoint(point));
          known.set(point, folded);
        }
      }
      if (length + folded.length > starts.length) {
        const grown = new Int32Array(Math.max(starts.length * 2, length + folded.length));
        grown.set(starts);
        starts = grown;
      }
      if (code < 0x80) {
        for (let index = 0; index < width; index += 1) starts[length + index] = unit + index;
      } else {
        starts.fill(unit, length, length + folded.length);
      }
      length += folded.length;
      parts.push(folded);
      unit += width;
    }
    foldedCache = { text: text, folded: parts.join(""), starts: starts.subarray(0, length) };
    return foldedCache;
  }

  /** The unit after the code point of `text` that begins at `unit`. */
  function afterCodePoint(text, unit) {
    return unit + (text.codePointAt(unit) > 0xffff ? 2 : 1);
  }

  /** Every place of `needle` in `haystack` from `from` on, then from its start, in order. */
  function* placesOf(haystack, needle, from) {
    for (const [low, high] of [[from, haystack.length], [0, from]]) {
      let at = haystack.indexOf(needle, low);
      while (at !== -1 && at < high) {
        yield at;
        at = haystack.indexOf(needle, at + 1);
      }
    }
  }

  // Hangul: the canonical decomposition of a syllable (U+AC00-U+D7A3) is its jamo, and a
  // text may be written in the jamo themselves (conjoining, U+1100-U+11FF, U+A960-U+A97F,
  // U+D7B0-U+D7FF), but a syllable is one letter to its reader: "하" is not in "한".
  function isSyllable(point) {
    return point >= 0xac00 && point <= 0xd7a3;
  }
  function isJamo(point) {
    return (point >= 0x1100 && point <= 0x11ff) || (point >= 0xa960 && point <= 0xa97f) || (point >= 0xd7b0 && point <= 0xd7ff);
  }

  /** Whether unit `index` of `made` (foldedText) falls inside a Hangul syllable of its text. */
  function insideSyllable(made, index) {
    if (index <= 0 || index >= made.starts.length) return false;
    const unit = made.starts[index];
    if (unit === made.starts[index - 1]) return isSyllable(made.text.codePointAt(unit));
    return isJamo(made.text.codePointAt(unit)) && !isCharacterBoundary(made.text, unit);
  }

  /**
   * The next place of `typed` in `text` from UTF-16 unit `from` on (else the first), both
   * folded (above), as {startUnit, endUnit} of whole characters of `text`; null when the
   * words are not in it. Places come in the text's order, a place inside a character
   * widened to the whole of it ("👍" of "👍🏽" selects "👍🏽", "👨" of a family emoji the
   * family: what is painted is what is cited). A place ends with its last code point and
   * the marks on it (the fold left them out), not with the tatweels after it, characters of
   * their own. A place inside a Hangul syllable is none.
   */
  function findIn(text, typed, from) {
    const made = foldedText(text);
    const needle = fold(typed);
    if (!needle) return null;
    // The first unit of the fold that comes from unit `from` of the text on.
    let foldedFrom = 0;
    let high = made.starts.length;
    while (foldedFrom < high) {
      const middle = (foldedFrom + high) >> 1;
      if (made.starts[middle] < from) foldedFrom = middle + 1; else high = middle;
    }
    for (const at of placesOf(made.folded, needle, foldedFrom)) {
      const last = at + needle.length;
      if (insideSyllable(made, at) || insideSyllable(made, last)) continue;
      const place = wholeCharacters(text, made.starts[at], afterCodePoint(text, made.starts[last - 1]));
      // Another place inside the character found last ("👨" twice in "👨‍👨‍👦") is that one.
      if (at >= foldedFrom && place.startUnit < from) continue;
      return place;
    }
    return null;
  }

  function storage() {
    try { return window.localStorage; } catch (error) { return null; }
  }

  function setUpSelection(container, form) {
    const field = function (name) { return form.querySelector('[name="' + name + '"]'); };
    const role = function (name) { return form.querySelector('[data-role="' + name + '"]'); };
    const panel = form.querySelector("[data-extension-panel]");
    const claimText = panel ? panel.querySelector('textarea[name="text"]') : null;
    const claimFields = ["text", "stance", "verdict", "confidence"];
    const draftKey = "claimbase:reader-draft:" + form.dataset.source;
    let current = null;

    // Whether the message shown is this page's own check (``problem``), which the person's
    // typing can answer; a server's refusal stays until the next try.
    let localError = false;

    function fail(message, note, local) {
      role("error").textContent = message;
      role("error").classList.toggle("cb-note", Boolean(note));
      role("error").hidden = false;
      localError = Boolean(local);
    }

    function clearError() {
      role("error").hidden = true;
      role("error").textContent = "";
      localError = false;
    }

    function saveDraft() {
      const store = storage();
      if (!store) return;
      const draft = { selection: current };
      claimFields.forEach(function (name) { if (field(name)) draft[name] = field(name).value; });
      if (!current && !(draft.text || "").trim()) {
        store.removeItem(draftKey);
      } else {
        store.setItem(draftKey, JSON.stringify(draft));
      }
    }

    function show(selection, focus) {
      current = selection;
      field("start").value = current ? current.start : "";
      field("end").value = current ? current.end : "";
      field("quote").value = current ? current.quote : "";
      role("hint").hidden = Boolean(current);
      role("current").hidden = !current;
      role("clear").hidden = !current;
      role("make-span").disabled = !current;
      if (panel) panel.hidden = !current;
      paintSelection(container, current);
      if (current) {
        // Isolated, so that an Arabic or Hebrew passage reads in its direction between the
        // bar's quotation marks, and the count after it stays after it.
        role("quote").replaceChildren(isolated(shorten(current.quote, 160)));
        // Italic is Latin, Greek and Cyrillic type's: Chinese, Arabic or Hebrew slanted by the
        // browser is no typeface's.
        role("quote").classList.toggle("cb-upright", !SLANTS.test(current.quote));
        const length = current.end - current.start;
        role("offsets").textContent = length + " character" + (length === 1 ? "" : "s") +
          " (" + current.start + "–" + current.end + ")";
        const cut = cutWords(container.textContent, current.startUnit, current.endUnit);
        const warning = role("cut-words");
        if (warning) {
          // Each word isolated (bdi), so that an Arabic or Hebrew one keeps the sentence's order.
          const parts = ["This passage "];
          if (cut.start) parts.push("starts inside the word “", isolated(shorten(cut.start, 40)), "”");
          if (cut.start && cut.end) parts.push(" and ");
          if (cut.end) parts.push("ends inside the word “", isolated(shorten(cut.end, 40)), "”");
          parts.push(": select again to cite whole words.");
          warning.replaceChildren(...(cut.start || cut.end ? parts : []));
          warning.hidden = !(cut.start || cut.end);
        }
      } else if (role("cut-words")) {
        role("cut-words").hidden = true;
        role("cut-words").textContent = "";
      }
      if (current && focus && claimText) claimText.focus({ preventScroll: true });
    }

    function capture(focus) {
      const selection = selectionOffsets(container, window.getSelection());
      if (!selection) return;
      if (current && selection.startUnit === current.startUnit && selection.endUnit === current.endUnit) return;
      clearError();
      show(selection, focus);
      saveDraft();
    }

    // A selection is kept until another one is made inside the text: clicking a button
    // or typing the claim collapses the browser's selection, not ours. During a drag the
    // box is not focused (that would end the drag); it is when the button is released.
    let dragging = false;
    let pending = null;
    container.addEventListener("pointerdown", function () { dragging = true; });
    document.addEventListener("pointerup", function () {
      if (!dragging) return;
      dragging = false;
      setTimeout(function () { capture(true); }, 0);
    });
    document.addEventListener("selectionchange", function () {
      clearTimeout(pending);
      pending = setTimeout(function () { if (!dragging) capture(false); }, 60);
    });

    // The keyboard's way to select: the words typed in "Find words to cite" are looked
    // for in the text whatever their case, accents and marks (findIn); Enter selects the
    // next place they occur, as a drag would, and the claim box takes the focus.
    const find = role("find");
    let foundAt = -1;
    function findNext() {
      const typed = find.value.trim();
      if (!typed) return;
      const text = container.textContent;
      if (!fold(typed).trim()) {
        // Nothing but marks (or tatweels) typed: the fold leaves them all out.
        fail("Find ignores accents and other marks, and the Arabic tatweel: type the letters of the words to cite.", true, true);
        return;
      }
      const found = findIn(text, typed, foundAt + 1);
      if (!found) {
        fail("These words are not in the text: “" + shorten(typed, 80) + "”.", false, true);
        return;
      }
      foundAt = found.startUnit;
      const range = rangeOfUnits(container, found.startUnit, found.endUnit);
      if (!range) return;
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      const box = container.getBoundingClientRect();
      container.scrollTop += range.getBoundingClientRect().top - box.top - box.height / 3;
      capture(true);
    }
    if (find) {
      find.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          findNext();
        }
      });
      find.addEventListener("input", function () {
        foundAt = -1;
        if (localError) clearError();
      });
    }

    function clearSelection() {
      show(null);
      saveDraft();
      clearError();
    }
    role("clear").addEventListener("click", clearSelection);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && current && (!document.activeElement || form.contains(document.activeElement) || document.activeElement === document.body)) {
        clearSelection();
        // Where the keyboard selects the next passage: not the page's start, twelve tabs away.
        if (find) find.focus({ preventScroll: true });
      }
    });

    claimFields.forEach(function (name) {
      const input = field(name);
      if (input) input.addEventListener(input.tagName === "SELECT" ? "change" : "input", saveDraft);
    });

    /** What the server will check too, checked here first so nothing is posted in vain. */
    function problem(withClaim) {
      if (!current) return "Select a passage of the text first.";
      if (!withClaim) return "";
      const text = claimText.value.trim();
      if (!text) return "Type the claim first: one atomic, checkable statement.";
      const limit = Number(claimText.dataset.maxLength) || 500;
      const length = codePointLength(text);
      if (length > limit) {
        return "The claim is " + length + " characters long; a claim is at most " + limit +
          ". Nothing was saved; shorten it (everything you typed is kept).";
      }
      return "";
    }

    let busy = false;
    async function send(url, withClaim) {
      if (busy) return;
      const refused = problem(withClaim);
      if (refused) {
        fail(refused, false, true);
        if (withClaim && current) claimText.focus();
        return;
      }
      clearError();
      busy = true;
      form.classList.add("cb-busy");
      const body = new URLSearchParams();
      ["csrfmiddlewaretoken", "source", "start", "end", "quote"].forEach(function (name) { body.append(name, field(name).value); });
      if (withClaim) claimFields.forEach(function (name) { if (field(name)) body.append(name, field(name).value); });
      // The claim picked among the similar ones as what this one duplicates (claims/similar.js).
      if (withClaim && field("duplicate_of")) body.append("duplicate_of", field("duplicate_of").value);
      let response = null;
      let data = null;
      try {
        response = await fetch(url, {
          method: "POST",
          body: body,
          credentials: "same-origin",
          headers: { Accept: "application/json", "X-CSRFToken": field("csrfmiddlewaretoken").value },
        });
        data = await response.json();
      } catch (error) {
        data = null;
      } finally {
        busy = false;
        form.classList.remove("cb-busy");
      }
      if (response && response.ok && data && data.redirect) {
        const store = storage();
        if (store) store.removeItem(draftKey);
        go(data.redirect);
        return;
      }
      const kept = " Nothing was saved; your selection" + (withClaim ? " and your text are" : " is") + " kept: try again.";
      if (data && data.detail) {
        fail(data.detail);
      } else if (response) {
        fail("The server could not do it (error " + response.status + ")." + kept);
      } else {
        fail("The server could not be reached." + kept);
      }
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const button = event.submitter;
      if (button && button.dataset.role === "create-claim") {
        send(button.formAction, true);
      } else {
        send(form.action, false);
      }
    });
    if (claimText) {
      // Its length is counted by claims/length_count.js.
      claimText.addEventListener("input", function () {
        // "Type the claim first" is answered by typing it.
        if (localError && !problem(true)) clearError();
      });
      claimText.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          send(role("create-claim").formAction, true);
        }
      });
    }

    show(null);
    restoreDraft();

    /** Give back what was typed before a reload, when its passage is still in the text. */
    function restoreDraft() {
      const store = storage();
      let draft = null;
      try { draft = JSON.parse((store && store.getItem(draftKey)) || "null"); } catch (error) { draft = null; }
      if (!draft) return;
      claimFields.forEach(function (name) {
        if (field(name) && typeof draft[name] === "string" && draft[name] !== "") {
          field(name).value = draft[name];
          field(name).dispatchEvent(new CustomEvent("cb:filled"));
        }
      });
      const selection = draft.selection;
      const text = container.textContent;
      if (selection && text.slice(selection.startUnit, selection.endUnit) === selection.quote) {
        // Its offsets counted again in the text as it is now: an edit since may have put
        // fewer code points (or more) before the same UTF-16 units, and what is cited must
        // be what is painted.
        const start = codePointLength(text.slice(0, selection.startUnit));
        show(Object.assign({}, selection, { start: start, end: start + codePointLength(selection.quote) }), false);
        fail("Restored what you were writing before this page was reloaded.", true);
      }
    }
  }

  function setUpPopover(container, spans) {
    const popover = document.createElement("div");
    popover.className = "cb-popover";
    popover.setAttribute("role", "dialog");
    popover.hidden = true;
    document.body.appendChild(popover);
    let openMark = null;

    function element(tag, className, text) {
      const node = document.createElement(tag);
      if (className) node.className = className;
      if (text !== undefined) node.textContent = text;
      return node;
    }

    function close() {
      popover.hidden = true;
      if (openMark) openMark.classList.remove("cb-mark-open");
      openMark = null;
    }

    /** Beside its passage, following it when the text scrolls; gone when it is. */
    function place() {
      if (!openMark) return;
      const box = openMark.getBoundingClientRect();
      const frame = container.getBoundingClientRect();
      if (box.bottom < frame.top || box.top > frame.bottom) {
        popover.style.visibility = "hidden";
        return;
      }
      popover.style.visibility = "";
      popover.style.top = (window.scrollY + Math.min(box.bottom, frame.bottom) + 6) + "px";
      const right = window.scrollX + document.documentElement.clientWidth - popover.offsetWidth - 8;
      popover.style.left = Math.max(8, Math.min(window.scrollX + box.left, right)) + "px";
    }

    function open(mark) {
      close();
      popover.replaceChildren();
      (mark.dataset.spans || "").split(" ").forEach(function (id) {
        const span = spans[id];
        if (!span) return;
        const item = element("div", "cb-popover-item");
        const head = element("a", "cb-popover-quote", "“" + shorten(span.quote, 140) + "”");
        head.href = span.url;
        item.appendChild(head);
        item.appendChild(element("div", "cb-popover-meta", "Span #" + span.id + " · " + span.state));
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
      openMark = mark;
      mark.classList.add("cb-mark-open");
      popover.hidden = false;
      place();
    }

    container.addEventListener("click", function (event) {
      const mark = event.target.closest("mark.cb-mark");
      const selection = window.getSelection();
      if (!mark || (selection && !selection.isCollapsed)) return;
      event.stopPropagation();
      open(mark);
    });
    container.addEventListener("scroll", place, { passive: true });
    window.addEventListener("resize", place);
    document.addEventListener("click", function (event) {
      if (!popover.contains(event.target)) close();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") close();
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
    findIn: findIn,
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
