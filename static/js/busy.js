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
      if (window.XMLHttpRequest && window.FormData && window.DOMParser) {
        event.preventDefault();
        send(form, pressed, progress);
      }
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

  /* An upload sent by XMLHttpRequest, so that its progress can be shown as a percentage.
   * The server answers as it does to the plain form: a redirect to the new version's page
   * (followed here by going there), or the form again with the reason it was refused, which
   * replaces the page's main content. */
  function send(form, pressed, progress) {
    var bar = progress.querySelector("progress");
    var percent = progress.querySelector("[data-upload-percent]");
    var data = new FormData(form, pressed || undefined);
    var label = pressed ? pressed.textContent : "";
    var xhr = new XMLHttpRequest();
    var action = new URL(form.getAttribute("action") || window.location.href, window.location.href);
    xhr.open("POST", action.href);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable || !e.total) {
        return;
      }
      var value = Math.floor((e.loaded / e.total) * 100);
      bar.max = 100;
      bar.value = value;
      percent.textContent = value < 100 ? value + " % sent" : "Sent; checking the file…";
    });
    xhr.addEventListener("load", function () {
      var landed = new URL(xhr.responseURL || action.href);
      if (xhr.status < 400 && landed.pathname !== action.pathname) {
        window.location.assign(landed.href);
        return;
      }
      var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var main = page.querySelector("main");
      if (!main) {
        failed(form, pressed, label, "The server answered " + xhr.status + "; nothing was registered.");
        return;
      }
      document.title = page.title;
      document.querySelector("main").replaceWith(main);
      window.history.replaceState(null, "", landed.href);
    });
    xhr.addEventListener("error", function () {
      failed(form, pressed, label, "The connection failed; nothing was registered. Try again.");
    });
    xhr.send(data);
  }

  function failed(form, pressed, label, message) {
    form.querySelector("[data-upload-percent]").textContent = message;
    form.removeAttribute("aria-busy");
    form.querySelectorAll("button, input[type=submit]").forEach(function (b) {
      b.disabled = false;
    });
    if (pressed) {
      pressed.textContent = label;
    }
  }

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
