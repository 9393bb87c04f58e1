// Small progressive enhancements for the dashboard; every page works without them.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const text = document.querySelector(button.dataset.copy).textContent.trim();
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const range = document.createRange();
    range.selectNodeContents(document.querySelector(button.dataset.copy));
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
    document.execCommand("copy");
  }
  button.textContent = "Copied";
});

document.addEventListener("change", (event) => {
  if (event.target.matches("[data-autosubmit]")) event.target.form.submit();
});

// Upload with a progress bar; without JavaScript the form posts normally.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-upload]");
  if (!form || !window.FormData) return;
  event.preventDefault();
  const progress = form.querySelector("#upload-progress");
  const status = form.querySelector("#upload-status");
  const error = form.querySelector("#upload-error");
  const request = new XMLHttpRequest();
  request.open("POST", form.action || window.location.href);
  request.setRequestHeader("Accept", "application/json");
  request.upload.addEventListener("progress", (e) => {
    if (!e.lengthComputable) return;
    progress.hidden = false;
    progress.value = Math.round((e.loaded / e.total) * 100);
    status.textContent = progress.value < 100 ? `Uploading… ${progress.value}%` : "Reading the document…";
  });
  request.addEventListener("load", () => {
    let body = {};
    try { body = JSON.parse(request.responseText); } catch { body = {}; }
    if (request.status === 200 && body.url) { window.location.href = body.url; return; }
    error.hidden = false;
    error.textContent = (body.errors || ["The upload failed."]).join(" ");
    status.textContent = "";
    progress.hidden = true;
  });
  request.addEventListener("error", () => { error.hidden = false; error.textContent = "The upload failed: network error."; });
  request.send(new FormData(form));
});

// The navigation collapses behind a Menu button on narrow screens; without JavaScript it stays open.
(() => {
  const toggle = document.querySelector(".nav-toggle");
  if (!toggle) return;
  const topbar = toggle.closest(".topbar");
  topbar.classList.add("nav-collapsible");
  toggle.hidden = false;
  toggle.addEventListener("click", () => {
    const open = topbar.classList.toggle("nav-open");
    toggle.setAttribute("aria-expanded", String(open));
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && topbar.classList.contains("nav-open")) {
      topbar.classList.remove("nav-open");
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    }
  });
})();

// A table wider than the screen scrolls inside its box; the box takes the keyboard focus when it has
// nothing focusable in it, so it can be scrolled without a mouse too.
const markScrollable = () => {
  for (const box of document.querySelectorAll(".table-wrap, .table, [data-scroll-x]")) {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.tabIndex = 0;
      box.dataset.scrollFocus = "";
    } else if (!scrolls && box.hasAttribute("data-scroll-focus")) {
      box.removeAttribute("tabindex");
      delete box.dataset.scrollFocus;
    }
  }
};
markScrollable();
window.addEventListener("resize", markScrollable);
