// Progressive enhancement only: every form here also works without JavaScript.
document.documentElement.classList.add("js");
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.dataset.autosubmit !== undefined && field.form) {
    field.form.requestSubmit();
  }
});

// Tree toggles: the first click loads children through htmx; later clicks show or hide them.
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-tree-toggle]") : null;
  if (!button) return;
  const list = document.getElementById(button.getAttribute("aria-controls"));
  const expanded = button.getAttribute("aria-expanded") === "true";
  if (expanded) {
    event.preventDefault();
    event.stopImmediatePropagation();
    list.hidden = true;
    button.setAttribute("aria-expanded", "false");
    button.textContent = "+";
  } else if (list && list.childElementCount > 0) {
    event.preventDefault();
    event.stopImmediatePropagation();
    list.hidden = false;
    button.setAttribute("aria-expanded", "true");
    button.textContent = "−";
  } else {
    button.setAttribute("aria-expanded", "true");
    button.textContent = "−";
  }
}, true);

// Public pages: "leave this page quickly" replaces this page in the history (the link alone works
// without JavaScript); the print button exists only where JavaScript can print.
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element ? event.target.closest("a[data-quick-exit]") : null;
  if (!link) return;
  event.preventDefault();
  window.location.replace(link.href);
});
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
