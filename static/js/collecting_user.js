// The user's credential page (collecting/views.py user_page): add, delete and collect credentials and
// post a second-factor code through the JSON API, with the token of the page's own address. The token
// is read from location.search and sent only to our API; the page never writes it anywhere else.
(() => {
  const root = document.getElementById("collecting-user");
  if (!root) return;
  const token = new URLSearchParams(window.location.search).get("token") || "";
  const api = root.dataset.api || "/api/v1/";
  const label = (key) => root.dataset[`label${key.replace(/(^|-)([a-z])/g, (_, __, c) => c.toUpperCase())}`] || "";
  const status = document.getElementById("collecting-status");

  const say = (text, kind) => {
    status.hidden = !text;
    status.textContent = text || "";
    status.className = `notice${kind ? ` notice-${kind}` : ""}`;
  };

  // Our API's error envelope carries `message` and `error.details` ({field: [messages]}); seed 003's `message` too.
  const failure = async (response) => {
    let body = {};
    try { body = await response.json(); } catch { body = {}; }
    if (response.status === 401) return { message: label("session-expired"), details: {} };
    const details = (body.error && body.error.details) || body.details || {};
    return { message: body.message || (body.error && body.error.message) || label("error"), details };
  };

  const call = async (method, path, payload) => {
    const url = `${api}${path}?token=${encodeURIComponent(token)}`;
    const options = { method, credentials: "omit", headers: { Accept: "application/json" }, cache: "no-store" };
    if (payload !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload);
    }
    const response = await fetch(url, options);
    if (!response.ok) throw await failure(response);
    return response;
  };

  // After a change the page is loaded again (same address, same token): the server renders the truth.
  const reloadSoon = (text) => {
    say(text, "success");
    window.setTimeout(() => window.location.reload(), 600);
  };

  const localTimes = () => {
    const locale = root.dataset.locale || document.documentElement.lang || "en";
    for (const node of root.querySelectorAll("time[datetime]")) {
      const when = new Date(node.getAttribute("datetime"));
      if (!Number.isNaN(when.getTime())) {
        node.textContent = when.toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });
      }
    }
  };

  // The add form: one fieldset per collector, the chosen one enabled and shown.
  const form = document.getElementById("credential-form");
  const choice = document.getElementById("collector-choice");
  const fieldsets = () => Array.from(root.querySelectorAll("fieldset.collector-params"));
  const chosen = () => fieldsets().find((set) => set.dataset.collector === choice.value);

  const clearErrors = () => {
    for (const node of root.querySelectorAll("[data-error-for], #form-error")) {
      node.hidden = true;
      node.textContent = "";
    }
  };

  const showErrors = (error) => {
    const set = chosen();
    let placed = false;
    for (const [field, messages] of Object.entries(error.details || {})) {
      const name = field.replace(/^params\./, "");
      const target = (set && set.querySelector(`[data-error-for="${CSS.escape(name)}"]`))
        || form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
      if (!target) continue;
      target.hidden = false;
      target.textContent = [].concat(messages).join(" ");
      placed = true;
    }
    if (!placed) {
      const general = document.getElementById("form-error");
      general.hidden = false;
      general.textContent = error.message || label("error");
    }
  };

  const paramsOf = (set) => {
    const params = {};
    for (const input of set.querySelectorAll("[data-param]")) {
      const name = input.dataset.param;
      const type = input.dataset.type;
      if (type === "boolean") {
        params[name] = input.checked;
        continue;
      }
      const value = input.value;
      if (value === "") continue;
      params[name] = type === "number" && /^\d+$/.test(value.trim()) ? Number.parseInt(value.trim(), 10) : value;
    }
    return params;
  };

  if (form) {
    // Enabled here: without this script the form must not post anywhere (it would carry secrets).
    form.querySelector("button[type=submit]").disabled = false;
    choice.addEventListener("change", () => {
      clearErrors();
      for (const set of fieldsets()) {
        const on = set.dataset.collector === choice.value;
        set.hidden = !on;
        set.disabled = !on;
      }
    });

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors();
      const set = chosen();
      if (!set) {
        showErrors({ details: { collector: [label("error")] } });
        choice.focus();
        return;
      }
      if (!form.reportValidity()) return;
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      say(label("working"));
      const payload = { collector: choice.value, params: paramsOf(set) };
      const note = document.getElementById("credential-note").value.trim();
      if (note) payload.note = note;
      try {
        await call("POST", "credential", payload);
        // The secrets leave the page as soon as they are sent.
        for (const input of set.querySelectorAll("input[type=password]")) input.value = "";
        form.reset();
        reloadSoon(label("added"));
      } catch (error) {
        say("");
        showErrors(error);
        button.disabled = false;
      }
    });
  }

  root.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const id = button.dataset.credential;
    const action = button.dataset.action;
    if (action === "refresh") {
      window.location.reload();
      return;
    }
    // Deleting takes a second click (no confirm(): a sandboxed iframe may not be allowed modals).
    if (action === "delete" && button.dataset.armed !== "yes") {
      button.dataset.armed = "yes";
      button.dataset.text = button.textContent;
      button.textContent = label("confirm-delete");
      return;
    }
    button.disabled = true;
    say(label("working"));
    try {
      if (action === "delete") {
        await call("DELETE", `credential/${encodeURIComponent(id)}`);
        reloadSoon(label("deleted"));
      } else if (action === "collect") {
        await call("POST", `credential/${encodeURIComponent(id)}/collect`, {});
        reloadSoon(label("collect-requested"));
      }
    } catch (error) {
      say(error.message || label("error"), "error");
      button.disabled = false;
      if (button.dataset.text) {
        button.textContent = button.dataset.text;
        button.dataset.armed = "";
      }
    }
  });

  root.addEventListener("submit", async (event) => {
    const twoFa = event.target.closest("form.two-fa");
    if (!twoFa) return;
    event.preventDefault();
    const code = twoFa.querySelector("[name=code]").value.trim();
    if (!code) return;
    say(label("working"));
    try {
      await call("POST", `credential/${encodeURIComponent(twoFa.dataset.credential)}/2fa`, { code });
      reloadSoon(label("code-sent"));
    } catch (error) {
      say(error.message || label("error"), "error");
    }
  });

  localTimes();
})();
