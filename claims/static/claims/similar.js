/* Similar claims while an analyst types a claim: the claim form (its "text" field) and the
   select-to-claim box of the source reader. After a pause in typing, the text goes to
   /api/v1/claims/similar/ and the 5 most similar claims are listed with their status and
   verdict: one click opens one (in a new tab), one click marks the claim being written as
   its duplicate. For a claim already saved, the relation is recorded at once through
   /api/v1/claims/{id}/relations/; for a new claim, the form carries "duplicate_of" and the
   relation is recorded with the claim when it is saved.
   External file, no inline script: the pages send a Content-Security-Policy without it. */
(function () {
  "use strict";

  var script = document.currentScript;
  var API = (script && script.dataset.apiRoot) || "/api/v1/";
  var DELAY_MS = 350;
  var LIMIT = 5;
  var MIN_LENGTH = 12;
  var MAX_LENGTH = 1000;
  var FIELDS = "#claim_form textarea[name=text], #cb-selection textarea[name=text]";

  function adminRoot() {
    var match = window.location.pathname.match(/^(.*?\/admin\/)/);
    return match ? match[1] : "/admin/";
  }

  function savedClaimId(textarea) {
    if (!textarea.closest("#claim_form")) return null;
    var match = window.location.pathname.match(/\/claims\/claim\/(\d+)\/change\/?$/);
    return match ? match[1] : null;
  }

  function csrfToken(form) {
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function words(value) {
    var text = String(value || "").replace(/_/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function attach(textarea) {
    if (textarea.dataset.similarClaims) return;
    textarea.dataset.similarClaims = "on";
    var form = textarea.form;
    var claimId = savedClaimId(textarea);
    var panel = element("div", "cb-similar");
    panel.setAttribute("data-role", "similar-claims");
    panel.setAttribute("aria-live", "polite");
    panel.hidden = true;
    // Under the claim's length count when there is one (the reader's box), else the text.
    var counter = textarea.nextElementSibling;
    (counter && counter.matches("[data-role=claim-count]") ? counter : textarea).insertAdjacentElement("afterend", panel);
    var note = element("p", "cb-similar-note");
    note.setAttribute("data-role", "similar-note");
    note.hidden = true;
    panel.insertAdjacentElement("afterend", note);

    var timer = null;
    var controller = null;
    var lastText = null;

    function say(message, undo) {
      note.textContent = message;
      note.hidden = !message;
      if (undo) {
        var button = element("button", "button cb-secondary", "Undo");
        button.type = "button";
        button.addEventListener("click", undo);
        note.appendChild(document.createTextNode(" "));
        note.appendChild(button);
      }
    }

    function pendingDuplicate() {
      return form ? form.querySelector("input[name=duplicate_of]") : null;
    }

    function markDuplicate(target) {
      if (claimId === null) {
        var input = pendingDuplicate();
        if (!input) {
          input = element("input");
          input.type = "hidden";
          input.name = "duplicate_of";
          form.appendChild(input);
        }
        input.value = String(target.id);
        say("Will be saved as a duplicate of claim #" + target.id + ".", function () {
          input.remove();
          say("");
        });
        return;
      }
      fetch(API + "claims/" + claimId + "/relations/", {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken(form)},
        body: JSON.stringify({to_claim: target.id, kind: "duplicate_of"}),
      })
        .then(function (response) {
          return response.json().then(function (body) { return {ok: response.ok, body: body}; });
        })
        .then(function (answer) {
          if (!answer.ok) {
            say("Not marked: " + (answer.body.detail || "refused") + ".");
            return;
          }
          // Recorded at once: the same click takes it back.
          var relationId = answer.body.id;
          say("Marked as a duplicate of claim #" + target.id + ".", function () { unmark(relationId, target); });
        })
        .catch(function () { say("Not marked: the server could not be reached."); });
    }

    function unmark(relationId, target) {
      fetch(API + "relations/" + relationId + "/", {
        method: "DELETE",
        credentials: "same-origin",
        headers: {Accept: "application/json", "X-CSRFToken": csrfToken(form)},
      })
        .then(function (response) {
          if (response.ok) {
            say("Undone: no longer marked as a duplicate of claim #" + target.id + ".");
            return null;
          }
          return response.json().then(function (body) { say("Not undone: " + (body.detail || "refused") + "."); });
        })
        .catch(function () { say("Not undone: the server could not be reached."); });
    }

    function render(results) {
      panel.textContent = "";
      if (!results.length) {
        panel.hidden = true;
        return;
      }
      panel.appendChild(element("h4", "cb-similar-title", "Similar claims"));
      var list = element("ol", "cb-similar-list");
      results.forEach(function (result) {
        var claim = result.claim;
        var item = element("li", "cb-similar-item");
        item.setAttribute("data-claim-id", String(claim.id));
        var link = element("a", "cb-similar-open", "#" + claim.id + " " + claim.text);
        link.href = adminRoot() + "claims/claim/" + claim.id + "/change/";
        link.target = "_blank";
        link.rel = "noopener";
        item.appendChild(link);
        item.appendChild(element("span", "cb-badge cb-status-" + claim.status, words(claim.status)));
        item.appendChild(element("span", "cb-badge cb-verdict-" + claim.verdict, words(claim.verdict)));
        item.appendChild(element("span", "cb-similar-score", Math.round(result.score * 100) + "%"));
        var button = element("button", "button", "Mark as duplicate");
        button.type = "button";
        button.setAttribute("data-role", "mark-duplicate");
        button.title = "The claim being written states the same fact as claim #" + claim.id;
        button.addEventListener("click", function () { markDuplicate(claim); });
        item.appendChild(button);
        list.appendChild(item);
      });
      panel.appendChild(list);
      panel.hidden = false;
    }

    function lookUp() {
      var text = textarea.value.trim().slice(0, MAX_LENGTH);
      if (text === lastText) return;
      lastText = text;
      if (controller) controller.abort();
      if (text.length < MIN_LENGTH) {
        render([]);
        return;
      }
      controller = new AbortController();
      var query = new URLSearchParams({text: text, limit: String(LIMIT)});
      if (claimId !== null) query.set("exclude", claimId);
      fetch(API + "claims/similar/?" + query.toString(), {
        credentials: "same-origin",
        headers: {Accept: "application/json"},
        signal: controller.signal,
      })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(render)
        .catch(function () { /* superseded by newer typing, or offline: keep the last list */ });
    }

    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, DELAY_MS);
    });
    if (textarea.value.trim().length >= MIN_LENGTH) lookUp();
  }

  function start() {
    document.querySelectorAll(FIELDS).forEach(attach);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
