// The one script every page loads (from base.html, and the projector page), before the
// page's own script. It gives those scripts a few shared helpers under `window.crm`:
//   crm.csrfToken()          the token for the X-CSRFToken header
//   crm.setCsrfToken(token)  take a fresh token (after the session expired) everywhere
//   crm.post(url, body, {redirect})  POST with the token; resolves to {response, data}
//   crm.digits(value)        as the `digits` filter on the server: Persian digits in Persian
//   crm.outOf(total)         as the `out_of` filter: "/12", or « از ۱۲» in Persian
//   crm.persianDigits(text), crm.latinDigits(text)
// and adds small enhancements that any page can use. Like every script here it only
// improves a page: forms and links work without JavaScript.
(function () {
  "use strict";
  const PERSIAN = "۰۱۲۳۴۵۶۷۸۹";
  const ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩";
  // The page's <meta name="csrf-token"> holds the token (pages that only read have none).
  const tokenMeta = document.querySelector('meta[name="csrf-token"]');

  // The same rule as assessment/i18n.py: digits, the decimal point and the percent sign.
  function persianDigits(text) {
    return String(text).replace(/[0-9.%]/g, (c) => (c === "." ? "٫" : c === "%" ? "٪" : PERSIAN[c]));
  }
  // What a person types may hold Persian or Arabic-Indic digits.
  function latinDigits(text) {
    return String(text).replace(/[۰-۹٠-٩]/g, (c) => String(Math.max(PERSIAN.indexOf(c), ARABIC_INDIC.indexOf(c))));
  }
  function digits(value) {
    return document.documentElement.lang === "fa" ? persianDigits(value) : String(value);
  }
  // As the `out_of` filter: "/12" in English, « از ۱۲» in Persian (a slash between digits
  // reads as a decimal sign there).
  function outOf(total) {
    return document.documentElement.lang === "fa" ? " از " + persianDigits(total) : "/" + total;
  }

  function csrfToken() { return tokenMeta ? tokenMeta.content : ""; }
  function setCsrfToken(fresh) {
    if (tokenMeta) tokenMeta.content = fresh;
    document.querySelectorAll('input[name="csrf_token"]').forEach((input) => { input.value = fresh; });
  }

  // A POST to this site that expects JSON back. A FormData body goes as a form, anything
  // else as JSON. `data` is {} when the answer is not JSON (or the request was redirected).
  async function post(url, body, options) {
    const asForm = body instanceof FormData;
    const headers = { Accept: "application/json", "X-CSRFToken": csrfToken() };
    if (!asForm) headers["Content-Type"] = "application/json";
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin", redirect: (options && options.redirect) || "follow",
      headers, body: asForm ? body : JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    return { response, data };
  }

  window.crm = Object.freeze({ csrfToken, setCsrfToken, post, digits, outOf, persianDigits,
                               latinDigits });

  // "Copy" buttons next to a link to hand on.
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const field = document.querySelector(button.dataset.copy);
    if (!field) return;
    field.select();
    navigator.clipboard?.writeText(field.value);
  });
  // A file picker (macros/forms.html: file_pick) names the chosen file in the page's words.
  document.addEventListener("change", (event) => {
    const input = event.target.closest(".file-pick-input");
    const name = input?.closest(".file-pick")?.querySelector(".file-pick-name");
    if (!name) return;
    const comma = document.documentElement.lang === "fa" ? "، " : ", ";
    name.textContent = input.files.length ? Array.from(input.files, (f) => f.name).join(comma)
      : name.dataset.none;
    name.dir = "auto";
  });
  // Destructive buttons ask first.
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
  // A PDF takes a few seconds: say so while the download is being prepared (a link may
  // carry its own words, as the Word copy's does).
  document.addEventListener("click", (event) => {
    const link = event.target.closest("[data-report-link]");
    if (!link) return;
    const note = document.getElementById("report-wait");
    if (!note) return;
    note.dataset.text ??= note.textContent;
    note.textContent = link.dataset.reportLink || note.dataset.text;
    note.classList.remove("d-none");
    setTimeout(() => note.classList.add("d-none"), 8000);
  });
})();
