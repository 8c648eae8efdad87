/*
 * How long a text is against its limit, under every textarea with `data-max-length` (the
 * claim form and the reader's claim box; `project.admin.CountedTextarea`). The box has no
 * maxlength: the browser would cut a paste at the limit, mid-word, and say nothing. Here
 * everything typed or pasted stays, and the count says when the text is over the limit and
 * that it cannot be saved until it is shortened; the server refuses it too, keeping it.
 * Counted in code points, as the server counts. Plain script; no inline handlers.
 */
(function () {
  "use strict";

  function codePointLength(text) {
    let count = 0;
    for (const _ of text) count += 1;  // eslint-disable-line no-unused-vars
    return count;
  }

  const number = new Intl.NumberFormat("en");

  /** The count's words for `length` of `limit`: empty for an empty box. */
  function describe(length, limit) {
    if (!length) return "";
    if (length <= limit) return number.format(length) + " / " + number.format(limit);
    const over = length - limit;
    return number.format(length) + " / " + number.format(limit) + ": " + number.format(over) + " character" +
      (over === 1 ? "" : "s") + " over. A claim is at most " + number.format(limit) +
      " characters (one atomic, checkable statement); shorten it to save it.";
  }

  function attach(textarea) {
    if (textarea.dataset.lengthCount) return;
    textarea.dataset.lengthCount = "on";
    const limit = Number(textarea.dataset.maxLength);
    let counter = textarea.parentElement.querySelector("[data-role=claim-count]");
    if (!counter) {
      counter = document.createElement("span");
      counter.className = "cb-quiet cb-claim-count";
      counter.setAttribute("data-role", "claim-count");
      counter.setAttribute("aria-live", "polite");
      textarea.insertAdjacentElement("afterend", counter);
    }
    if (!counter.id) counter.id = (textarea.id || "cb-text") + "-count";
    textarea.setAttribute("aria-describedby", ((textarea.getAttribute("aria-describedby") || "") + " " + counter.id).trim());
    const count = function () {
      const length = codePointLength(textarea.value);
      counter.textContent = describe(length, limit);
      counter.classList.toggle("cb-near-limit", length > limit * 0.9 && length <= limit);
      counter.classList.toggle("cb-over-limit", length > limit);
      textarea.setAttribute("aria-invalid", length > limit ? "true" : "false");
    };
    textarea.addEventListener("input", count);
    // A draft given back by the reader (its own script) fills the box without an input event.
    textarea.addEventListener("cb:filled", count);
    count();
  }

  function start() {
    document.querySelectorAll("textarea[data-max-length]").forEach(attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
