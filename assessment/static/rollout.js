// Roadmap pages: a status picked from a list is saved at once; destructive buttons ask first.
// Without script the "Set" buttons and plain forms do the same.
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select) select.form.requestSubmit();
});
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
// A PDF takes a few seconds: say so while the download is being prepared.
document.addEventListener("click", (event) => {
  if (!event.target.closest("[data-report-link]")) return;
  const note = document.getElementById("report-wait");
  if (!note) return;
  note.classList.remove("d-none");
  setTimeout(() => note.classList.add("d-none"), 8000);
});
