// Lists: a row with data-href opens on a click anywhere in it (its first cell holds the same link, for
// the keyboard); the invoice list's bulk form selects every row on the page, counts the selection and
// confirms a delete. Without this script the links, checkboxes and form work as they are.
(function () {
  "use strict";
  document.addEventListener("click", (event) => {
    const row = event.target.closest("tr[data-href]");
    if (!row || event.target.closest("a, button, input, select, label")) return;
    if (window.getSelection && String(window.getSelection())) return; // selecting text, not opening
    window.location.assign(row.dataset.href);
  });
  const form = document.getElementById("bulk-form");
  if (!form) return;
  const all = document.getElementById("select-all");
  const rows = () => Array.from(document.querySelectorAll("input.row-select"));
  const count = document.getElementById("bulk-count");

  function update() {
    const chosen = rows().filter((box) => box.checked).length;
    if (count) count.textContent = chosen ? `${chosen} selected` : "";
    if (all) {
      all.checked = chosen > 0 && chosen === rows().length;
      all.indeterminate = chosen > 0 && chosen < rows().length;
    }
  }

  if (all) {
    all.addEventListener("change", () => {
      rows().forEach((box) => { box.checked = all.checked; });
      update();
    });
  }
  document.addEventListener("change", (event) => {
    if (event.target.classList && event.target.classList.contains("row-select")) update();
  });
  form.addEventListener("submit", (event) => {
    const action = form.querySelector("#bulk-action").value;
    const chosen = rows().filter((box) => box.checked).length;
    if (action === "delete" && !window.confirm(`Delete ${chosen} invoice(s)? Issued invoices are not deleted.`)) {
      event.preventDefault();
    }
  });
  update();
})();
