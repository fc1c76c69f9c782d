/* kaisai's small page behaviours, attached by data attributes (no inline handlers, so the
   Content-Security-Policy can forbid inline script; see docs/security.md).

   data-autosubmit        on a <select>: submit its form when the choice changes
   data-select-on-focus   on an <input>: select its text when it gets focus (copy fields)
   data-copy-from="ID"    on a <button>: copy the value of the element #ID to the clipboard */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.submit();
    }
  });

  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.hasAttribute("data-select-on-focus")) {
      target.select();
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-copy-from]") : null;
    if (!button) {
      return;
    }
    var source = document.getElementById(button.getAttribute("data-copy-from"));
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.value);
    }
  });
})();
