// Bank lists: a "select all" box ticks every box of its name on the page, and the count of ticked lines is shown.
(function () {
  "use strict";
  function update(form, name) {
    var count = form.querySelectorAll('input[name="' + name + '"]:checked').length;
    var out = document.getElementById("selected-count");
    if (out) { out.textContent = count ? count + " selected" : ""; }
  }
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.form) { return; }
    var name = box.getAttribute("data-select-all");
    if (name) {
      box.form.querySelectorAll('input[name="' + name + '"]').forEach(function (other) { other.checked = box.checked; });
      update(box.form, name);
    } else if (box.type === "checkbox") {
      update(box.form, box.name);
    }
  });
})();
