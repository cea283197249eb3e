/* Tabs over a page's sections. Without this script the page is a list of sections led by a
 * bar of links to them (#overview, #evidence, ...). With it the bar becomes a tab list
 * (WAI-ARIA tabs: arrow keys, Home and End move between tabs, each tab shows one panel),
 * and an address naming a section (/model-versions/7/#evidence, or an element inside a
 * panel such as #personal-data) opens the tab holding it.
 *
 * Markup: <nav data-tabs> holds <a href="#section" data-panel="panel-id"> links; each
 * <div id="panel-id" data-tabpanel> holds the sections of one tab.
 *
 * Also: lineage graphs marked data-zoom get zoom in / zoom out / fit / full size buttons.
 */
(function () {
  "use strict";

  function setUpTabs(nav) {
    var links = Array.prototype.slice.call(nav.querySelectorAll("a[data-panel]"));
    var panels = links.map(function (a) {
      return document.getElementById(a.getAttribute("data-panel"));
    });
    if (!links.length || panels.indexOf(null) !== -1) {
      return;
    }
    var list = document.createElement("div");
    list.setAttribute("role", "tablist");
    list.setAttribute("aria-label", nav.getAttribute("aria-label") || "Sections");
    list.className = "tablist";
    links.forEach(function (a, i) {
      var panel = panels[i];
      var tab = document.createElement("button");
      tab.type = "button";
      tab.id = "tab-" + panel.id;
      tab.className = "tab";
      tab.textContent = a.textContent;
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", panel.id);
      tab.setAttribute("data-target", a.getAttribute("href").slice(1));
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      panel.setAttribute("tabindex", "0");
      list.appendChild(tab);
    });
    nav.textContent = "";
    nav.removeAttribute("aria-label");
    nav.classList.add("tabs-on");
    nav.appendChild(list);
    var tabs = Array.prototype.slice.call(list.querySelectorAll("[role=tab]"));

    function select(index, focus) {
      tabs.forEach(function (tab, i) {
        var on = i === index;
        tab.setAttribute("aria-selected", on ? "true" : "false");
        tab.tabIndex = on ? 0 : -1;
        panels[i].hidden = !on;
      });
      if (focus) {
        tabs[index].focus();
      }
    }

    function remember(index) {
      var hash = "#" + tabs[index].getAttribute("data-target");
      if (window.location.hash !== hash) {
        window.history.replaceState(null, "", hash);
      }
    }

    function fromHash(scroll) {
      var id = decodeURIComponent(window.location.hash.slice(1));
      var target = id && document.getElementById(id);
      for (var i = 0; target && i < panels.length; i++) {
        if (panels[i] === target || panels[i].contains(target)) {
          select(i, false);
          if (scroll && target !== panels[i]) {
            target.scrollIntoView();
          }
          return true;
        }
      }
      return false;
    }

    list.addEventListener("click", function (event) {
      var index = tabs.indexOf(event.target.closest("[role=tab]"));
      if (index !== -1) {
        select(index, true);
        remember(index);
      }
    });
    list.addEventListener("keydown", function (event) {
      var index = tabs.indexOf(document.activeElement);
      if (index === -1) {
        return;
      }
      var next = {
        ArrowRight: (index + 1) % tabs.length,
        ArrowLeft: (index - 1 + tabs.length) % tabs.length,
        Home: 0,
        End: tabs.length - 1,
      }[event.key];
      if (next === undefined) {
        return;
      }
      event.preventDefault();
      select(next, true);
      remember(next);
    });
    window.addEventListener("hashchange", function () {
      fromHash(true);
    });
    if (!fromHash(true)) {
      select(0, false);
    }
  }

  function setUpZoom(figure) {
    var svg = figure.querySelector("svg");
    var frame = figure.querySelector("[data-zoom-frame]");
    if (!svg || !frame) {
      return;
    }
    var width = svg.viewBox.baseVal.width;
    var height = svg.viewBox.baseVal.height;
    var scale = 1;
    var output = figure.querySelector("[data-zoom-level]");

    function apply(value) {
      scale = Math.min(4, Math.max(0.25, value));
      svg.setAttribute("width", String(Math.round(width * scale)));
      svg.setAttribute("height", String(Math.round(height * scale)));
      if (output) {
        output.textContent = Math.round(scale * 100) + "%";
      }
    }

    var controls = figure.querySelector("[data-zoom-controls]");
    controls.hidden = false;
    controls.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-zoom]");
      if (!button) {
        return;
      }
      var action = button.getAttribute("data-zoom");
      if (action === "in") {
        apply(scale * 1.25);
      } else if (action === "out") {
        apply(scale / 1.25);
      } else if (action === "fit") {
        apply((frame.clientWidth - 4) / width);
      } else {
        apply(1);
      }
    });
    // Dragging the graph pans it (the frame scrolls); the scroll bars and keys still work.
    var drag = null;
    frame.addEventListener("pointerdown", function (event) {
      if (event.button !== 0 || event.target.closest("a")) {
        return;
      }
      drag = { x: event.clientX, y: event.clientY, left: frame.scrollLeft, top: frame.scrollTop };
      frame.classList.add("panning");
    });
    window.addEventListener("pointermove", function (event) {
      if (drag) {
        frame.scrollLeft = drag.left - (event.clientX - drag.x);
        frame.scrollTop = drag.top - (event.clientY - drag.y);
      }
    });
    window.addEventListener("pointerup", function () {
      drag = null;
      frame.classList.remove("panning");
    });
  }

  function start() {
    document.querySelectorAll("nav[data-tabs]").forEach(setUpTabs);
    document.querySelectorAll("figure[data-zoom]").forEach(setUpZoom);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
