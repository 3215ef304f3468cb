// Progressive enhancement: each static SVG chart becomes an interactive Vega view
// (tooltips). The runtime (about 300 KB compressed) is this site's own file, and it is
// fetched only when a reader shows an intent to use a chart: the pointer enters a
// figure, a finger touches it, or the keyboard focuses something in it. Nothing is
// fetched before that, so a page costs its HTML and CSS until the reader reaches for a
// chart. Once the runtime is here, the other charts of the page become interactive as
// they come near the viewport. Without JavaScript, the static SVG stays.
// A chart drawn in two layouts (data-spec and data-spec-narrow) goes live in the one its
// container shows (the same 40rem rule as style.css) and changes layout with the container.
(function () {
  "use strict";
  var script = document.currentScript;
  var runtimeUrl = script && script.getAttribute("data-runtime");
  var charts = Array.prototype.slice.call(document.querySelectorAll(".chart-graphic[data-spec]"));
  if (!runtimeUrl || !charts.length || !window.fetch) return;
  var INTENTS = ["pointerenter", "touchstart", "focusin"];
  // The static SVG was laid out with Arial's metrics; style.css draws chart text in this
  // stack, and the live chart is laid out with it too, so it keeps the same size.
  var FONT = "Arial, 'Liberation Sans', Arimo, Helvetica, sans-serif";
  var INK_ON_DARK = "#ececec";
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)");
  var runtime = null;
  var observer = null;
  var NARROW_BELOW = 40;  // rem: style.css shows the narrow drawing in a container narrower than this

  function layoutOf(container) {
    if (!container.getAttribute("data-spec-narrow")) return "wide";
    var rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    return container.clientWidth < NARROW_BELOW * rem ? "narrow" : "wide";
  }

  function loadRuntime() {
    if (!runtime) {
      runtime = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = runtimeUrl;
        tag.onload = function () { resolve(window.vegaEmbed); };
        tag.onerror = reject;
        document.head.appendChild(tag);
      });
    }
    return runtime;
  }

  function loadSpec(url) {
    return fetch(url).then(function (response) {
      if (!response.ok) throw new Error(url + ": HTTP " + response.status);
      return response.json();
    });
  }

  function merge(base, extra) {
    var out = {};
    Object.keys(base || {}).forEach(function (key) { out[key] = base[key]; });
    Object.keys(extra).forEach(function (key) {
      var both = out[key] && typeof out[key] === "object" && typeof extra[key] === "object";
      out[key] = both ? merge(out[key], extra[key]) : extra[key];
    });
    return out;
  }

  // The spec's own config (the site theme) wins over vega-embed's config option, so the
  // font and the dark-scheme colours are written into the spec itself.
  // ARIA is off inside the chart: like the static SVG, the live one is a single image
  // labelled with the chart's description (the figure also carries the data as a table).
  function themed(spec, isDark) {
    var config = { font: FONT, aria: false };
    var colours = ((spec.usermeta || {}).broadsheet || {}).dark;
    if (isDark && colours) spec = recoloured(spec, colours);
    if (isDark) {
      config = merge(config, {
        axis: { labelColor: INK_ON_DARK, titleColor: INK_ON_DARK, gridColor: "#3a3a3a", domainColor: "#9a9a9a", tickColor: "#9a9a9a" },
        legend: { labelColor: INK_ON_DARK, titleColor: INK_ON_DARK },
        text: { color: INK_ON_DARK },
        title: { color: INK_ON_DARK }
      });
    }
    spec.config = merge(spec.config, config);
    return spec;
  }

  // Colours that would vanish or glare on the dark page (a black rule, a white cell) and
  // their counterparts, worked out when the chart was drawn (broadsheet/darkcolors.py),
  // as the static drawing applies them through style.css.
  var NAMED = { black: "#000000", white: "#ffffff", gray: "#808080", grey: "#808080", silver: "#c0c0c0", lightgray: "#d3d3d3" };
  function hexOf(text) {
    var value = NAMED[text.trim().toLowerCase()] || text.trim().toLowerCase();
    if (/^#[0-9a-f]{3}$/.test(value)) value = "#" + value[1] + value[1] + value[2] + value[2] + value[3] + value[3];
    return /^#[0-9a-f]{6}$/.test(value) ? value : null;
  }
  function recoloured(value, colours) {
    if (typeof value === "string") {
      var key = hexOf(value);
      return key && colours[key] ? colours[key] : value;
    }
    if (Array.isArray(value)) return value.map(function (item) { return recoloured(item, colours); });
    if (!value || typeof value !== "object") return value;
    var out = {};
    Object.keys(value).forEach(function (key) { out[key] = key === "usermeta" ? value[key] : recoloured(value[key], colours); });
    return out;
  }

  // A tooltip lists what is known: a missing value is left out, not shown as "null".
  function withoutMissing(value) {
    if (!value || typeof value !== "object" || Array.isArray(value)) return value;
    var kept = {};
    var any = false;
    Object.keys(value).forEach(function (key) {
      var v = value[key];
      if (v === null || v === undefined || v === "" || v === "null" || v === "undefined" || v === "NaN") return;
      kept[key] = v;
      any = true;
    });
    return any ? kept : null;
  }

  function enhance(container) {
    if (container.getAttribute("data-enhanced")) return;
    container.setAttribute("data-enhanced", "loading");
    if (observer) observer.unobserve(container);
    var isDark = Boolean(dark && dark.matches);
    var target = document.createElement("div");
    var layout = layoutOf(container);
    var spec = container.getAttribute(layout === "narrow" ? "data-spec-narrow" : "data-spec");
    Promise.all([loadRuntime(), loadSpec(spec)]).then(function (loaded) {
      container.appendChild(target);
      container.setAttribute("data-layout", layout);
      var usermeta = loaded[1].usermeta || {};
      var legendLayout = (usermeta.broadsheet || {}).legendLayout;
      return loaded[0](target, themed(loaded[1], isDark), {
        actions: false,
        renderer: "svg",
        // Several legends one under another, as in the static drawing: a Vega setting
        // that Vega-Lite cannot hold, carried in the spec's usermeta.
        patch: function (vega) {
          if (legendLayout) {
            vega.config = vega.config || {};
            vega.config.legend = merge(vega.config.legend, { layout: legendLayout });
          }
          return vega;
        },
        tooltip: { theme: isDark ? "dark" : "light" }
      });
    }).then(function (result) {
      container.liveChart = { result: result, target: target, layout: layout };
      var showTooltip = result.view.tooltip();
      result.view.tooltip(function (handler, event, item, value) {
        return showTooltip.call(this, handler, event, item, withoutMissing(value));
      });
      return result.view.runAsync();  // a new tooltip handler resets the renderer
    }).then(function () {
      // One accessible image, labelled like the static one.
      var svg = target.querySelector("svg");
      var label = container.querySelector("svg[aria-label]");
      if (svg && label) {
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", label.getAttribute("aria-label"));
        ["role", "aria-roledescription", "aria-label"].forEach(function (name) { target.removeAttribute(name); });
        Array.prototype.forEach.call(svg.children, function (child) { child.setAttribute("aria-hidden", "true"); });
      }
      container.classList.add("is-live");
      container.setAttribute("data-enhanced", "live");
    }).catch(function () {
      container.classList.remove("is-live");  // keep the static chart
      if (target.parentNode) target.parentNode.removeChild(target);
      container.setAttribute("data-enhanced", "failed");
    });
  }

  // A live chart whose container crossed 40rem (a phone turned, a window resized) is drawn
  // again from the other layout's spec; until it is, the static drawing of that layout shows.
  function relayout(container) {
    var live = container.liveChart;
    if (!live || layoutOf(container) === live.layout) return;
    container.liveChart = null;
    live.result.finalize();
    if (live.target.parentNode) live.target.parentNode.removeChild(live.target);
    container.classList.remove("is-live");
    container.removeAttribute("data-layout");
    container.removeAttribute("data-enhanced");
    enhance(container);
  }

  if ("ResizeObserver" in window) {
    var resized = new ResizeObserver(function (entries) {
      entries.forEach(function (entry) { relayout(entry.target); });
    });
    charts.forEach(function (chart) {
      if (chart.getAttribute("data-spec-narrow")) resized.observe(chart);
    });
  }

  // After the first intent the runtime is paid for: enhance the others as they come near.
  function enhanceNearViewport() {
    if (observer || !("IntersectionObserver" in window)) return;
    observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) enhance(entry.target);
      });
    }, { rootMargin: "200px 0px" });
    charts.forEach(function (chart) {
      if (!chart.getAttribute("data-enhanced")) observer.observe(chart);
    });
  }

  charts.forEach(function (chart) {
    var figure = chart.closest("figure") || chart;
    function onIntent() {
      INTENTS.forEach(function (type) { figure.removeEventListener(type, onIntent); });
      enhance(chart);
      enhanceNearViewport();
    }
    INTENTS.forEach(function (type) { figure.addEventListener(type, onIntent, { passive: true }); });
  });
})();
