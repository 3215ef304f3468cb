// Scrollytelling, progressively enhanced. Without this script every step of a
// <section class="scrolly"> reads as its text followed by its own static chart. With it,
// one graphic stays on screen (position: sticky, in style.css) and shows the chart of the
// step that has reached the middle of the screen, or that holds the keyboard focus.
// The graphic is a decorative copy (aria-hidden): each step keeps its own chart in the
// page, visually hidden, so a screen reader hears the step's text, then its chart's text
// alternative, in reading order. No library; nothing is fetched.
(function () {
  "use strict";
  var sections = document.querySelectorAll(".scrolly");
  if (!sections.length || !("IntersectionObserver" in window)) return;
  var reduced = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;

  // A copy of a step's drawing (every layout of it: style.css shows the one that fits).
  // It gets ids of its own (the step's chart, still in the page, keeps the originals)
  // and no text alternative: the copy is decoration, the step's chart is read out.
  function copyOf(drawing) {
    return drawing.innerHTML
      .replace(/\bid="([^"]+)"/g, 'id="$1-live"')
      .replace(/url\(#([^)]+)\)/g, "url(#$1-live)")
      .replace(/href="#([^"]+)"/g, 'href="#$1-live"')
      .replace(/\srole="img"/g, "")
      .replace(/\saria-label="[^"]*"/g, "");
  }

  function enhance(section) {
    var graphic = section.querySelector(".scrolly-graphic");
    var steps = Array.prototype.slice.call(section.querySelectorAll(".scrolly-step"));
    if (!graphic || !steps.length) return;
    var active = -1;

    function show(index) {
      if (index === active) return;
      active = index;
      steps.forEach(function (step, i) { step.classList.toggle("is-active", i === index); });
      var drawing = steps[index].querySelector(".scrolly-figure .chart-graphic");
      graphic.innerHTML = drawing ? copyOf(drawing) : "";
      graphic.setAttribute("data-step", String(index + 1));
      if (reduced && reduced.matches) return;
      graphic.classList.remove("is-changing");
      void graphic.offsetWidth; // restart the fade
      graphic.classList.add("is-changing");
    }

    // A step is active once it crosses a band across the middle of the screen.
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) show(steps.indexOf(entry.target));
      });
    }, { rootMargin: "-45% 0px -45% 0px" });

    steps.forEach(function (step, i) {
      step.tabIndex = 0; // Tab moves from step to step (and scrolls it into view)
      step.addEventListener("focusin", function () { show(i); });
      observer.observe(step);
    });
    section.classList.add("is-live");
    graphic.hidden = false;
    show(0);
  }

  Array.prototype.forEach.call(sections, enhance);
})();
