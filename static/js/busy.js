/* Buttons that start background work must not be pressed twice: a double click made two
 * reports. A form marked data-busy="Working…" (a full-page post) has its submit buttons
 * disabled once the browser has taken the submission, and the pressed button says what is
 * happening. HTMX forms use hx-disabled-elt instead; this covers the forms without HTMX.
 * The button is disabled on the next tick: a button disabled during the submit event would
 * drop its name and value from the request.
 */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-busy")) {
      return;
    }
    if (form.getAttribute("aria-busy") === "true") {
      event.preventDefault();
      return;
    }
    var pressed = event.submitter;
    form.setAttribute("aria-busy", "true");
    // Uploads show that they are under way (a large file takes a while to send).
    var progress = form.querySelector("[data-upload-progress]");
    if (progress) {
      progress.hidden = false;
    }
    window.setTimeout(function () {
      form.querySelectorAll("button, input[type=submit]").forEach(function (b) {
        b.disabled = true;
      });
      if (pressed) {
        pressed.textContent = form.getAttribute("data-busy") || "Working…";
      }
    }, 0);
  });

  // Back/forward cache: a page shown again must have working buttons.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) {
      return;
    }
    document.querySelectorAll("form[data-busy][aria-busy=true]").forEach(function (form) {
      form.removeAttribute("aria-busy");
      var progress = form.querySelector("[data-upload-progress]");
      if (progress) {
        progress.hidden = true;
      }
      form.querySelectorAll("button, input[type=submit]").forEach(function (b) {
        b.disabled = false;
      });
    });
  });
})();
