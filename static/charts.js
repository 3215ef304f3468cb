// Progressive enhancement: each static SVG chart becomes an interactive Vega view
// (tooltips) once it comes near the viewport. The runtime is this site's own file,
// loaded once and only on pages with charts. Without JavaScript, the SVG stays.
(function () {
  "use strict";
  var script = document.currentScript;
  var runtimeUrl = script && script.getAttribute("data-runtime");
  var runtime = null;
  var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)");

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

  function darkConfig() {
    var ink = "#ececec";
    return {
      axis: { labelColor: ink, titleColor: ink, gridColor: "#3a3a3a", domainColor: "#9a9a9a", tickColor: "#9a9a9a" },
      legend: { labelColor: ink, titleColor: ink },
      text: { color: ink },
      title: { color: ink }
    };
  }

  function enhance(container) {
    var specUrl = container.getAttribute("data-spec");
    loadRuntime().then(function (vegaEmbed) {
      var target = document.createElement("div");
      container.appendChild(target);
      return vegaEmbed(target, specUrl, {
        actions: false,
        renderer: "svg",
        config: dark && dark.matches ? darkConfig() : {}
      }).then(function (result) {
        var svg = target.querySelector("svg");
        var label = container.querySelector("svg[aria-label]");
        if (svg && label) {
          svg.setAttribute("role", "img");
          svg.setAttribute("aria-label", label.getAttribute("aria-label"));
        }
        container.classList.add("is-live");
        return result;
      });
    }).catch(function () {
      container.classList.remove("is-live");  // keep the static chart
    });
  }

  var charts = Array.prototype.slice.call(document.querySelectorAll(".chart-graphic[data-spec]"));
  if (!runtimeUrl || !charts.length) return;
  if (!("IntersectionObserver" in window)) { charts.forEach(enhance); return; }
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) {
        observer.unobserve(entry.target);
        enhance(entry.target);
      }
    });
  }, { rootMargin: "200px 0px" });
  charts.forEach(function (chart) { observer.observe(chart); });
})();
