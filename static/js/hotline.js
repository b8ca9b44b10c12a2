// The hotline form (intake/report_hotline.html): the call's timer and Ctrl+Enter to file. The
// page works without them: it shows the call's start, and the button files the report.
(() => {
  const form = document.querySelector("form[data-file-with]");
  if (!form) return;
  const fileButton = document.getElementById(form.dataset.fileWith);
  let filing = false;
  form.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    event.preventDefault();
    form.requestSubmit(fileButton);
  });
  // One report per call: a second press while the first is on its way files nothing more.
  form.addEventListener("submit", (event) => {
    if (event.submitter !== fileButton) return;
    if (filing) event.preventDefault();
    filing = true;
  });

  const timer = form.querySelector("[data-call-started]");
  const shown = timer && timer.querySelector("[data-call-elapsed]");
  if (!shown) return;
  const started = Date.parse(timer.dataset.callStarted);
  // The server's clock counts, not this computer's: only the time since the page came is local.
  const offset = Date.parse(timer.dataset.serverNow) - Date.now();
  const tick = () => {
    const seconds = Math.max(0, Math.floor((Date.now() + offset - started) / 1000));
    const minutes = Math.floor(seconds / 60);
    shown.textContent = `${minutes}:${String(seconds % 60).padStart(2, "0")}`;
  };
  tick();
  shown.hidden = false;
  window.setInterval(tick, 1000);
})();
