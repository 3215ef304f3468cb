// "Copy embed code" buttons: shown only when the clipboard can be used.
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll("button.copy-embed").forEach(function (button) {
    var code = document.getElementById(button.getAttribute("data-copy"));
    if (!code) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(code.value).then(function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy embed code"; }, 2000);
      });
    });
  });
})();
