// Upload several invoice documents at once: each file is sent in its own request (at most
// PARALLEL at a time) with its own progress row, then its extraction is followed until it is
// processed, needs review or failed. The page stays usable; without this script the form posts
// the chosen files in one request.
(function () {
  "use strict";
  const PARALLEL = 2;
  const POLL_MS = 1000;
  const form = document.getElementById("upload-form");
  if (!form) return;
  const input = form.querySelector("#id_file");
  const zone = document.getElementById("dropzone");
  const list = document.getElementById("upload-rows");
  const submit = form.querySelector("button[type=submit]");
  const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const statusUrl = (id) => form.dataset.statusUrl.replace("INVOICE_ID", encodeURIComponent(id));
  const queue = [];
  let running = 0;

  // Choosing files starts their upload: the button is only for the page without this script.
  submit.hidden = true;

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function addRow(file) {
    const row = element("li", "upload-row waiting");
    const name = element("span", "file-name", file.name);
    const state = element("span", "upload-state", "Waiting…");
    const bar = element("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", `Upload of ${file.name}`);
    const message = element("p", "upload-message");
    row.append(name, state, bar, message);
    list.prepend(row);
    return { row, state, bar, message };
  }

  function finish(view, answer) {
    view.row.className = `upload-row ${answer.status}`;
    view.state.textContent = answer.label + (answer.duplicate ? " (uploaded before)" : "");
    view.bar.remove();
    view.message.textContent = answer.message ? `${answer.message} ` : "";
    const link = element("a", "", answer.number ? `Open ${answer.number}` : "Open the invoice");
    link.href = answer.url;
    view.message.append(link);
  }

  function fail(view, text) {
    view.row.className = "upload-row failed";
    view.state.textContent = "Not uploaded";
    view.bar.remove();
    view.message.textContent = text;
  }

  function poll(view, answer) {
    fetch(statusUrl(answer.id), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((state) => {
        const merged = Object.assign({}, answer, state);
        if (state.done) finish(view, merged);
        else setTimeout(() => poll(view, merged), POLL_MS);
      })
      .catch(() => setTimeout(() => poll(view, answer), POLL_MS * 3));
  }

  function send(file, view) {
    running += 1;
    const body = new FormData();
    body.append("csrfmiddlewaretoken", token);
    body.append("file", file);
    const request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("X-CSRFToken", token);
    view.row.className = "upload-row uploading";
    view.state.textContent = "Uploading… 0%";
    request.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable) return;
      view.bar.value = Math.round((event.loaded / event.total) * 100);
      view.state.textContent = view.bar.value < 100 ? `Uploading… ${view.bar.value}%` : "Reading the document…";
    });
    request.addEventListener("load", () => {
      let answer = {};
      try { answer = JSON.parse(request.responseText); } catch (error) { answer = {}; }
      if (request.status === 200 && answer.id) {
        view.bar.value = 100;
        if (answer.done) finish(view, answer);
        else {
          view.row.className = "upload-row processing";
          view.state.textContent = "Reading the document…";
          poll(view, answer);
        }
      } else {
        fail(view, (answer.errors || [`The upload failed (${request.status}).`]).join(" "));
      }
    });
    request.addEventListener("error", () => fail(view, "The upload failed: network error."));
    request.addEventListener("loadend", () => { running -= 1; next(); });
    request.send(body);
  }

  function next() {
    while (running < PARALLEL && queue.length) {
      const item = queue.shift();
      send(item.file, item.view);
    }
  }

  function add(files) {
    Array.from(files).forEach((file) => queue.push({ file, view: addRow(file) }));
    next();
  }

  input.addEventListener("change", () => {
    add(input.files);
    input.value = "";
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (input.files.length) add(input.files);
    input.value = "";
  });
  ["dragenter", "dragover"].forEach((type) => zone.addEventListener(type, (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  }));
  ["dragleave", "drop"].forEach((type) => zone.addEventListener(type, () => zone.classList.remove("dragging")));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) add(event.dataTransfer.files);
  });

  // Files chosen before this script ran (a slow page, or a form the browser restored) would
  // otherwise wait for the submit button this script has just hidden.
  if (input.files.length) {
    add(input.files);
    input.value = "";
  }
})();
