// Roadmap pages. A status picked from a list with the mouse or a finger is saved at once;
// with the keyboard the arrows only choose, and the "Set" button (or Enter) saves, so
// stepping through the list does not save every status on the way. Without script the
// "Set" buttons do it all. Destructive buttons ask first.
let pickedByPointer = false;
document.addEventListener("pointerdown", (event) => {
  pickedByPointer = Boolean(event.target.closest("select[data-autosubmit]"));
});
document.addEventListener("keydown", (event) => {
  if (event.target.closest("select[data-autosubmit]")) pickedByPointer = false;
});
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select && pickedByPointer) select.form.requestSubmit();
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
