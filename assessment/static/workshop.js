// The facilitator's live view: the live part of the page is fetched again every few
// seconds (no reload), forms inside it post in the background, and the projector page
// keeps its "joined" count current. Without JavaScript every form still posts normally.
// Uses window.crm from app.js (the POST with the CSRF token, Persian digits).
(function () {
  "use strict";
  const PERIOD = 3000;

  // --- the projector page: only the count of people who joined -----------------------
  const joined = document.getElementById("present-joined");
  if (joined) {
    const tick = async () => {
      try {
        const response = await fetch(joined.dataset.liveUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (response.ok) joined.querySelector("[data-joined]").textContent = crm.digits((await response.json()).joined);
      } catch (error) { /* next tick */ }
      setTimeout(tick, PERIOD);
    };
    setTimeout(tick, PERIOD);
    return;
  }

  const live = document.getElementById("live");
  if (!live) return;
  const status = document.getElementById("live-status");
  const filter = document.querySelector("[data-role-filter]");
  let last = live.innerHTML;
  let timer = null;
  let busy = false;

  function url() {
    const target = new URL(live.dataset.liveUrl, window.location.href);
    if (filter && filter.value) target.searchParams.set("role", filter.value);
    return target.toString();
  }
  function setStatus(ok) {
    if (!status) return;
    status.textContent = ok ? status.dataset.live : status.dataset.lost;
    status.classList.toggle("text-danger", !ok);
  }
  async function refresh() {
    clearTimeout(timer);
    if (busy) return;
    busy = true;
    try {
      const response = await fetch(url(), { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok) throw new Error(String(response.status));
      const html = await response.text();
      // Keep open <details> open across refreshes (by their data-key, else their summary).
      const key = (details) => details.dataset.key || details.querySelector("summary")?.textContent;
      const open = [...live.querySelectorAll("details[open]")].map(key);
      if (html !== last) {
        live.innerHTML = html;
        last = html;
        live.querySelectorAll("details").forEach((details) => {
          if (open.includes(key(details))) details.open = true;
        });
      }
      live.dataset.updated = String(Date.now());
      setStatus(true);
    } catch (error) {
      setStatus(false);
    } finally {
      busy = false;
      timer = setTimeout(refresh, document.hidden ? PERIOD * 4 : PERIOD);
    }
  }
  timer = setTimeout(refresh, PERIOD);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
  if (filter) filter.addEventListener("change", () => {
    const page = new URL(window.location.href);
    if (filter.value) page.searchParams.set("role", filter.value); else page.searchParams.delete("role");
    history.replaceState(null, "", page);
    refresh();
  });

  function notify(message, ok) {
    if (!status) return;
    status.textContent = message;
    status.classList.toggle("text-danger", !ok);
    status.classList.toggle("text-success", ok);
  }

  async function post(form, action) {
    const { response, data } = await crm.post(action, new FormData(form));
    return { ok: response.ok, message: data.message || crm.digits(response.status) };
  }

  // Lock/unlock and other small forms inside the live part.
  live.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-async]");
    if (!form) return;
    event.preventDefault();
    const button = form.querySelector("button");
    if (button) button.disabled = true;
    try {
      const result = await post(form, form.action);
      notify(result.message, result.ok);
    } catch (error) {
      notify(status ? status.dataset.lost : "", false);
    }
    refresh();
  });

  // The agreed-answer dialog lives outside the refreshed part, so typing is never lost.
  const modalEl = document.getElementById("agree");
  const agreeForm = document.getElementById("agree-form");
  let modal = null;
  let questionId = null;
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-agree]");
    if (!button || !modalEl) return;
    questionId = button.dataset.agree;
    modalEl.querySelector("[data-agree-question]").textContent = button.dataset.agreeText;
    modalEl.querySelector("[data-agree-error]").textContent = "";
    agreeForm.elements.value.value = button.dataset.agreeValue || "";
    agreeForm.elements.note.value = button.dataset.agreeNote || "";
    modal = modal || new bootstrap.Modal(modalEl);
    modal.show();
  });
  if (agreeForm) agreeForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const action = agreeForm.dataset.action.replace("__QID__", encodeURIComponent(questionId));
    try {
      const result = await post(agreeForm, action);
      if (result.ok) {
        modal.hide();
        notify(result.message, true);
        refresh();
      } else {
        modalEl.querySelector("[data-agree-error]").textContent = result.message;
      }
    } catch (error) {
      modalEl.querySelector("[data-agree-error]").textContent = status ? status.dataset.lost : "";
    }
  });
})();
