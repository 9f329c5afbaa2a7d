// "Measure customer data", the columns page: measuring is sent in the background while a
// progress bar follows the child process's progress (the status route reads what it
// writes). Without JavaScript the form posts as usual and the result page follows.
(function () {
  "use strict";
  const form = document.getElementById("measure-form");
  if (!form || !window.fetch) return;
  const box = document.getElementById("measure-progress");
  const bar = box.querySelector(".progress-bar");
  const button = document.getElementById("measure-button");
  const failure = document.getElementById("data-error");

  function show(fraction) {
    const percent = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
    bar.style.width = percent + "%";
    box.setAttribute("aria-valuenow", String(percent));
    box.setAttribute("aria-valuetext", window.crm.digits(percent + "%"));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    box.classList.remove("d-none");
    show(0.02);
    let done = false;
    const poll = async () => {
      while (!done) {
        await new Promise((resolve) => setTimeout(resolve, 400));
        try {
          const answer = await fetch(form.dataset.progress, { credentials: "same-origin",
                                                              headers: { Accept: "application/json" } });
          const data = await answer.json();
          if (!done) show(data.progress || 0);
        } catch (error) { /* the next look will tell */ }
      }
    };
    poll();
    const { data } = await window.crm.post(window.location.pathname, new FormData(form));
    done = true;
    if (data.next) {
      show(1);
      window.location.assign(data.next);
      return;
    }
    box.classList.add("d-none");
    failure.querySelector("p").textContent = data.error || data.message || form.dataset.failed;
    failure.classList.remove("d-none");
    form.classList.add("d-none");
  });
})();
