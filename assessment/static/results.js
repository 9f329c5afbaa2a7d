// Results page: a report takes a few seconds to prepare; say so while it comes.
document.querySelectorAll("[data-report-link]").forEach((link) => link.addEventListener("click", () => {
  const note = document.getElementById("report-wait");
  note.classList.remove("d-none");
  setTimeout(() => note.classList.add("d-none"), 8000);
}));
