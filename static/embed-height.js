// An embedded chart tells the page around it how tall it is, so the host page's iframe
// fits it without a scroll bar or blank space: on load, and whenever its height changes
// (the frame's width draws the wide or the narrow chart, the live chart replaces the
// static one, "Show the data" opens). The embed code's few lines listen (see _figure.html).
(function () {
  "use strict";
  if (window.parent === window) return;
  var last = 0;
  function report() {
    var body = document.body;
    var height = Math.ceil(body.getBoundingClientRect().bottom + window.scrollY + parseFloat(getComputedStyle(body).marginBottom || "0"));
    if (height === last) return;
    last = height;
    window.parent.postMessage({"broadsheet-height": height, "broadsheet-chart": body.getAttribute("data-chart")}, "*");
  }
  if ("ResizeObserver" in window) new ResizeObserver(report).observe(document.body);
  document.addEventListener("toggle", report, true);  // (a <details> opening: in case the observer is late)
  window.addEventListener("load", report);
  report();
})();
