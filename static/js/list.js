// Lists: a row with data-href opens on a click anywhere in it (its first cell holds the same link, for
// the keyboard); a list's bulk form (invoices, buyers, suppliers) selects every row on the page, counts
// the selection and confirms a delete. Without this script the links, checkboxes and form work as they are.
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
    // The form may word its own question ("{n}" is the count); the invoice list's is the default.
    const question = (form.dataset.confirmDelete || "Delete {n} invoice(s)? Issued invoices are not deleted.")
      .replace("{n}", String(chosen));
    if (action === "delete" && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  update();
})();
