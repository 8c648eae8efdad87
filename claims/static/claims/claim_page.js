/*
 * The claim page: a workflow button pressed with unsaved edits saves them first (the
 * server then takes the action, in the same request), and leaving the page with unsaved
 * edits asks first. Plain script; no inline handlers.
 */
(function () {
  "use strict";

  function snapshot(form) {
    const pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken") pairs.push(name + "=" + (typeof value === "string" ? value : value.name));
    });
    return pairs.join("&");
  }

  function start() {
    const form = document.getElementById("claim_form");
    const panel = document.querySelector(".cb-moderation[data-then-field]");
    if (!form) return;
    // Select2 widgets fill in after load: take the first picture once they have.
    let saved = null;
    setTimeout(function () { saved = snapshot(form); }, 300);
    const dirty = function () { return saved !== null && snapshot(form) !== saved; };
    let leaving = false;

    form.addEventListener("submit", function () { leaving = true; });
    window.addEventListener("beforeunload", function (event) {
      if (!leaving && dirty()) {
        event.preventDefault();
        event.returnValue = "";
      }
    });

    if (!panel) return;
    const thenField = panel.dataset.thenField;
    panel.querySelectorAll("form").forEach(function (actionForm) {
      actionForm.addEventListener("submit", function (event) {
        const button = actionForm.querySelector("button[data-action]");
        if (!button || !dirty()) {
          leaving = true;
          return;
        }
        event.preventDefault();
        let input = form.querySelector('input[name="' + thenField + '"]');
        if (!input) {
          input = document.createElement("input");
          input.type = "hidden";
          input.name = thenField;
          form.appendChild(input);
        }
        input.value = button.dataset.action;
        leaving = true;
        const stay = form.querySelector('input[name="_continue"]');
        if (stay) form.requestSubmit(stay); else form.requestSubmit();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
