// Autosave for the walk. Every change is kept on this device until the server has
// acknowledged it (after its commit), retried with back-off when a save fails, and
// sent again after a reload. Without JavaScript the form posts the whole stage.
// Uses window.crm from app.js (the CSRF token, the POST, Persian digits).
(function () {
  "use strict";
  const form = document.querySelector("form[data-autosave]");
  if (!form) return;

  const status = document.getElementById("save-status");
  const saveUrl = form.dataset.saveUrl;
  const storeKey = "crm-walk-pending:" + form.dataset.key;
  let pending = load();
  const inFlight = new Set();
  const retryDelay = {};
  form.dataset.ready = "1";

  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey) || "{}"); } catch (e) { return {}; }
  }
  function persist() {
    try { localStorage.setItem(storeKey, JSON.stringify(pending)); } catch (e) { /* private mode */ }
  }
  function box(qid) { return document.getElementById("q-" + qid); }
  function setState(qid, state, text) {
    const el = box(qid) && box(qid).querySelector("[data-state]");
    if (!el) return;
    el.className = "save-state small " + state;
    el.textContent = text || "";
  }
  function refreshStatus(message) {
    if (!status) return;
    const count = Object.keys(pending).length;
    status.classList.remove("saving", "unsaved");
    if (message) {
      status.textContent = message;
      status.classList.add("unsaved");
    } else if (count === 0) {
      status.textContent = status.dataset.saved;
    } else if (inFlight.size > 0 && count === inFlight.size) {
      status.textContent = status.dataset.saving;
      status.classList.add("saving");
    } else {
      status.textContent = status.dataset.unsaved.replace("{n}", crm.digits(count));
      status.classList.add("unsaved");
    }
    form.dataset.pending = String(count);
  }
  function updateProgress(progress) {
    if (!progress) return;
    for (const [stage, pair] of Object.entries(progress)) {
      const el = document.querySelector('[data-stage-count="' + stage + '"]');
      if (!el) continue;
      el.textContent = crm.digits(pair[0]) + crm.outOf(pair[1]);
      el.closest(".step").classList.toggle("done", pair[0] === pair[1]);
    }
  }

  function queue(qid, field, value) {
    const base = pending[qid] && "base_revision" in pending[qid]
      ? pending[qid].base_revision : Number(box(qid) ? box(qid).dataset.revision : 0);
    // base_revision: the saved version this change was made on; the server refuses
    // the change (409) if the answer moved on meanwhile, e.g. on another device.
    pending[qid] = Object.assign({}, pending[qid], { [field]: value, base_revision: base });
    persist();
    send(qid);
  }

  async function send(qid) {
    if (inFlight.has(qid) || !pending[qid]) return;
    const body = pending[qid];
    inFlight.add(qid);
    setState(qid, "saving", status ? status.dataset.saving : "");
    refreshStatus();
    let retry = false;
    let banner = null;
    try {
      const { response, data } = await crm.post(
        saveUrl.replace("__QID__", encodeURIComponent(qid)), body, { redirect: "manual" });
      if (response.type === "opaqueredirect" || response.status === 401) {
        retry = true;
        banner = status.dataset.signedOut;
      } else if (response.ok && data.saved) {
        // Drop only what was sent; a newer change made meanwhile stays queued, now
        // based on the revision just saved.
        if (JSON.stringify(pending[qid]) === JSON.stringify(body)) delete pending[qid];
        else if (pending[qid]) pending[qid].base_revision = data.revision;
        if (box(qid)) box(qid).dataset.revision = String(data.revision);
        persist();
        setState(qid, "saved", "✓");
        updateProgress(data.progress);
        retryDelay[qid] = 0;
      } else if (response.status === 409 && data.error === "conflict") {
        delete pending[qid];
        persist();
        show(qid, data.current);
        setState(qid, "unsaved", status.dataset.conflict);
      } else if (response.status === 400 && data.error === "csrf") {
        crm.setCsrfToken(data.csrf_token);
        banner = status.dataset.expired;
        retry = true;
        retryDelay[qid] = 0;
      } else if (response.status >= 400 && response.status < 500 && response.status !== 429) {
        // The server refused this answer: retrying cannot help; show why.
        delete pending[qid];
        persist();
        setState(qid, "unsaved", data.message || crm.digits(response.status));
      } else {
        retry = true;
      }
    } catch (error) {
      retry = true;
    } finally {
      inFlight.delete(qid);
    }
    if (retry) {
      setState(qid, "unsaved", "…");
      const delay = Math.min(30000, Math.max(1000, (retryDelay[qid] || 500) * 2));
      retryDelay[qid] = delay;
      setTimeout(() => send(qid), delay);
    } else if (pending[qid]) {
      send(qid);
    }
    refreshStatus(banner);
  }

  function show(qid, current) {
    const el = box(qid);
    if (!el) return;
    const saved = current || { value: null, comment: "", flagged: false, revision: 0 };
    el.querySelectorAll('input[type="radio"]').forEach((radio) => {
      radio.checked = radio.value === saved.value;
    });
    el.querySelector("textarea").value = saved.comment || "";
    el.querySelector('input[type="checkbox"]').checked = Boolean(saved.flagged);
    el.dataset.revision = String(saved.revision || 0);
  }

  // Restore answers that never reached the server (closed tab, lost connection).
  for (const [qid, fields] of Object.entries(pending)) {
    const el = box(qid);
    if (!el) { send(qid); continue; }
    if ("value" in fields) {
      const radio = el.querySelector('input[type="radio"][value="' + fields.value + '"]');
      if (radio) radio.checked = true;
    }
    if ("comment" in fields) el.querySelector("textarea").value = fields.comment;
    if ("flagged" in fields) el.querySelector('input[type="checkbox"]').checked = fields.flagged;
    send(qid);
  }
  refreshStatus();

  const timers = {};
  form.addEventListener("change", (event) => {
    const target = event.target;
    const el = target.closest("[data-qid]");
    if (!el) return;
    const qid = el.dataset.qid;
    if (target.type === "radio") queue(qid, "value", target.value);
    else if (target.type === "checkbox") queue(qid, "flagged", target.checked);
    else if (target.tagName === "TEXTAREA") { clearTimeout(timers[qid]); queue(qid, "comment", target.value); }
  });
  form.addEventListener("input", (event) => {
    const target = event.target;
    if (target.tagName !== "TEXTAREA") return;
    const qid = target.closest("[data-qid]").dataset.qid;
    clearTimeout(timers[qid]);
    timers[qid] = setTimeout(() => queue(qid, "comment", target.value), 800);
  });
  window.addEventListener("online", () => Object.keys(pending).forEach(send));
  let submitting = false;
  form.addEventListener("submit", () => { submitting = true; });
  window.addEventListener("beforeunload", (event) => {
    if (!submitting && Object.keys(pending).length > 0) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
