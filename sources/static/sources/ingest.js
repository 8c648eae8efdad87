/*
 * "Add source from file" and "Add source from URL": reading a large file or a slow page
 * takes seconds (a fetch up to SOURCE_FETCH_TIMEOUT). Once the form is sent, its button
 * says what is happening and takes no second click (a second request had been refused as
 * a duplicate of the source the first one made), and a status line tells screen readers.
 * A refusal's message is focused when the page comes back, so that it is read out first.
 * A file over the size limit is refused in the page, before it is sent, the form kept as
 * it was (the server refuses it too, by its length, unread).
 *
 * Plain script, no dependencies.
 */
(function () {
  "use strict";

  function busy(form) {
    const button = form.querySelector("[data-busy-label]");
    const status = form.querySelector(".cb-ingest-status");
    if (form.dataset.sent) return false;
    form.dataset.sent = "1";
    form.setAttribute("aria-busy", "true");
    if (button) {
      button.dataset.idleLabel = button.value;
      button.value = button.dataset.busyLabel;
      button.disabled = true;
    }
    if (status) status.textContent = form.dataset.busyStatus || "";
    // A send stopped in the browser (Esc, the stop button) fires nothing the page hears:
    // once the server would have answered, the form is ready again.
    form.cbReadyTimer = window.setTimeout(function () { idle(form); }, (Number(form.dataset.busyForSeconds) || 120) * 1000);
    return true;
  }

  function idle(form) {
    window.clearTimeout(form.cbReadyTimer); // a send before this one is over
    const button = form.querySelector("[data-busy-label]");
    const status = form.querySelector(".cb-ingest-status");
    delete form.dataset.sent;
    form.removeAttribute("aria-busy");
    if (button && button.dataset.idleLabel) {
      button.value = button.dataset.idleLabel;
      button.disabled = false;
    }
    if (status) status.textContent = "";
  }

  // The refusal of a file larger than its input's data-max-bytes, said as the server says
  // it (the same place, role and focus), or null.
  function tooLarge(form) {
    const input = form.querySelector("input[type=file][data-max-bytes]");
    const file = input && input.files && input.files[0];
    const limit = input ? Number(input.dataset.maxBytes) : 0;
    if (!file || !limit || file.size <= limit) return null;
    return {
      input: input,
      message: "The file is " + file.size.toLocaleString("en") + " bytes; larger than the limit of " +
        input.dataset.maxLabel + " (MAX_SOURCE_MB).",
    };
  }

  function refuse(form, refusal) {
    let note = document.getElementById("cb-ingest-error");
    if (!note) {
      note = document.createElement("p");
      note.className = "errornote";
      note.id = "cb-ingest-error";
      note.setAttribute("role", "alert");
      note.tabIndex = -1;
      form.parentNode.insertBefore(note, form);
    }
    note.textContent = refusal.message;
    const help = document.getElementById(refusal.input.id + "_helptext");
    refusal.input.setAttribute("aria-invalid", "true");
    refusal.input.setAttribute("aria-describedby", "cb-ingest-error" + (help ? " " + help.id : ""));
    note.focus();
  }

  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form.cb-ingest-form");
    if (!form) return;
    const refusal = tooLarge(form);
    if (refusal) {
      event.preventDefault();
      refuse(form, refusal);
      return;
    }
    if (!busy(form)) event.preventDefault(); // sent already: wait for its answer
  });

  // Back to the page from the browser's cache: the form is ready again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form.cb-ingest-form").forEach(idle);
  });

  document.addEventListener("DOMContentLoaded", function () {
    const error = document.getElementById("cb-ingest-error");
    if (error) error.focus();
  });
})();
