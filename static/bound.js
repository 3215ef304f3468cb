/* Bound values ({= ... }): Escape hides the note of the figure under the pointer or the
   keyboard focus (WCAG 1.4.13: content shown on hover or focus can be dismissed); it
   shows again once the pointer or the focus has left the figure. Without JavaScript the
   note shows on hover and focus as before, and cannot be dismissed. */
(() => {
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    for (const bound of document.querySelectorAll(".bound:hover, .bound:focus-within")) bound.classList.add("is-dismissed");
  });
  for (const bound of document.querySelectorAll(".bound")) {
    bound.addEventListener("mouseleave", () => bound.classList.remove("is-dismissed"));
    bound.addEventListener("focusout", (event) => {
      if (!bound.contains(event.relatedTarget)) bound.classList.remove("is-dismissed");
    });
  }
})();
