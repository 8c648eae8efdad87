/*
 * A long source's text is not written into its change page twice (the reader shows it):
 * the form's textarea is empty and disabled until "Load the text to edit it" fetches the
 * saved text, exactly as stored, and enables the textarea and the flag that tells the
 * server it was loaded. Until then the browser sends neither, and the saved text is kept.
 *
 * Plain script, no dependencies.
 */
(function () {
  "use strict";

  async function load(button) {
    const area = document.getElementById(button.dataset.target);
    const flag = document.getElementById(button.dataset.target + "_loaded");
    const note = button.closest(".cb-deferred-text-note");
    button.disabled = true;
    const label = button.textContent;
    button.textContent = "Loading the text…";
    let text;
    try {
      const response = await fetch(button.dataset.loadText, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      text = await response.text();
    } catch (error) {
      button.disabled = false;
      button.textContent = label;
      let message = note.querySelector(".cb-deferred-text-error");
      if (!message) {
        message = document.createElement("span");
        message.className = "cb-deferred-text-error errornote";
        note.appendChild(message);
      }
      message.textContent = ` The text could not be loaded (${error.message}); try again.`;
      return;
    }
    area.value = text;
    area.disabled = false;
    area.hidden = false;
    flag.disabled = false;
    note.textContent = "The saved text is loaded: edit it below. Saving re-anchors every span.";
    area.focus();
    area.setSelectionRange(0, 0);
    area.scrollTop = 0;
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-load-text]");
    if (button) {
      event.preventDefault();
      load(button);
    }
  });
})();
