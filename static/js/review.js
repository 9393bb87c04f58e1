// The review page: a field's box on the page image is highlighted (and scrolled to) while the field
// has focus; clicking a box, or a review reason, focuses its field; "Add a line" adds a line-item row.
(() => {
  "use strict";

  const form = document.getElementById("review-form");
  if (!form) return;

  const boxesOf = (name) => document.querySelectorAll(`.field-box[data-field="${CSS.escape(name)}"]`);

  function highlight(name, scroll) {
    document.querySelectorAll(".field-box.highlight").forEach((box) => box.classList.remove("highlight"));
    document.querySelectorAll(".field.active").forEach((row) => row.classList.remove("active"));
    if (!name) return;
    const row = form.querySelector(`.field[data-field="${CSS.escape(name)}"]`);
    if (row) row.classList.add("active");
    const boxes = boxesOf(name);
    boxes.forEach((box) => box.classList.add("highlight"));
    if (scroll && boxes.length) {
      const page = boxes[0].closest(".page");
      const svg = boxes[0].ownerSVGElement;
      if (page && svg) {
        // The box's place in the page, from its viewBox coordinates (0-1000 each way).
        const y = Number(boxes[0].getAttribute("y")) / 1000;
        const rect = page.getBoundingClientRect();
        const target = window.scrollY + rect.top + y * rect.height - window.innerHeight / 3;
        const container = page.closest(".document");
        if (container && container.scrollHeight > container.clientHeight + 1) {
          container.scrollTop = page.offsetTop + y * rect.height - container.clientHeight / 3;
        } else if (rect.top + y * rect.height < 0 || rect.top + y * rect.height > window.innerHeight) {
          window.scrollTo({ top: Math.max(0, target) });
        }
      }
    }
  }

  function focusField(name) {
    const input = form.querySelector(`.field[data-field="${CSS.escape(name)}"] input, .field[data-field="${CSS.escape(name)}"] textarea`);
    if (input) {
      input.focus();
      return true;
    }
    return false;
  }

  form.addEventListener("focusin", (event) => {
    const row = event.target.closest(".field[data-field]");
    highlight(row ? row.dataset.field : null, true);
  });

  document.querySelectorAll(".field-box").forEach((box) => {
    box.addEventListener("click", () => focusField(box.dataset.field));
  });

  document.querySelectorAll("[data-show-box]").forEach((button) => {
    button.addEventListener("click", () => {
      highlight(button.dataset.showBox, true);
    });
  });

  document.querySelectorAll("[data-focus-field]").forEach((link) => {
    link.addEventListener("click", (event) => {
      const name = link.dataset.focusField;
      // Line items and other reasons without an input of their own go to the line-items table.
      if (focusField(name)) {
        event.preventDefault();
      } else {
        const table = document.getElementById("line-items");
        if (name === "line_items" && table) {
          event.preventDefault();
          const first = table.querySelector("input");
          if (first) first.focus();
        }
      }
    });
  });

  const add = document.getElementById("add-line");
  const template = document.getElementById("line-template");
  const total = form.querySelector('input[name="lines-TOTAL_FORMS"]');
  const body = document.querySelector("#line-items tbody");
  if (add && template && total && body) {
    add.hidden = false;
    add.addEventListener("click", () => {
      const index = Number(total.value);
      const html = template.innerHTML.replace(/__prefix__/g, String(index));
      const holder = document.createElement("tbody");
      holder.innerHTML = html.trim();
      const row = holder.firstElementChild;
      body.appendChild(row);
      total.value = String(index + 1);
      const first = row.querySelector("input");
      if (first) first.focus();
    });
  }
})();
