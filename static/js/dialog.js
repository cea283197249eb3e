/* The decision dialog (approve, reject, request changes) is swapped into #decision-dialog by
 * HTMX. This file gives it the keyboard behaviour of a modal dialog: Escape or a click on the
 * backdrop closes it like Cancel, Tab stays inside it, and focus returns to the button that
 * opened it. A static file, not inline script: the Content-Security-Policy is script-src 'self'.
 */
(function () {
  "use strict";

  var FOCUSABLE = 'a[href], button:not([disabled]), textarea:not([disabled]), ' +
    'input:not([type="hidden"]):not([disabled]), select:not([disabled])';
  var opener = null;

  function openOverlay() {
    return document.querySelector("#decision-dialog .overlay");
  }

  function restoreFocus() {
    if (opener && document.body.contains(opener)) {
      opener.focus();
    }
    opener = null;
  }

  function close() {
    var overlay = openOverlay();
    if (!overlay) {
      return false;
    }
    overlay.parentNode.removeChild(overlay);
    restoreFocus();
    return true;
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) {
      return;
    }
    var trigger = target.closest('[hx-target="#decision-dialog"]');
    if (trigger && !trigger.closest(".overlay")) {
      opener = trigger;
    }
    if (target.classList.contains("overlay")) {
      close();
    }
  });

  document.addEventListener("keydown", function (event) {
    var overlay = openOverlay();
    if (!overlay) {
      return;
    }
    if (event.key === "Escape" || event.key === "Esc") {
      event.preventDefault();
      close();
      return;
    }
    if (event.key !== "Tab") {
      return;
    }
    var items = Array.prototype.filter.call(overlay.querySelectorAll(FOCUSABLE), function (el) {
      return el.offsetParent !== null;
    });
    if (!items.length) {
      return;
    }
    var first = items[0];
    var last = items[items.length - 1];
    if (event.shiftKey && (document.activeElement === first || !overlay.contains(document.activeElement))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !overlay.contains(document.activeElement))) {
      event.preventDefault();
      first.focus();
    }
  });

  /* Cancel asks the server for an empty dialog; once it is gone, focus goes back. */
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "decision-dialog" && !openOverlay()) {
      restoreFocus();
    }
  });
})();
