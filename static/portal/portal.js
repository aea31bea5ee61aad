// Progressive enhancement only: every page works without this file.
function syncNotApplicable(root) {
  // Show the justification box only when "not applicable" is ticked (visible without JS).
  root.querySelectorAll("[data-na-toggle]").forEach((box) => {
    const target = document.getElementById(box.dataset.naToggle);
    if (!target) return;
    const sync = () => { target.hidden = !box.checked; };
    box.addEventListener("change", sync);
    sync();
  });
}

function domId(questionId) {
  return "q-" + questionId.replaceAll(".", "-");
}

// A file picked but not yet uploaded is never lost silently: it says so beside the field, and
// leaving the page before saving asks first (saving the form uploads it).
function guardPickedFiles(root) {
  const inputs = [...root.querySelectorAll('input[type="file"]')];
  const pending = () => inputs.some((input) => input.files.length > 0);
  let leavingBySaving = false;
  for (const input of inputs) {
    const note = document.createElement("p");
    note.className = "small text-warning-emphasis mb-1";
    note.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", note);
    input.addEventListener("change", () => {
      note.textContent = input.files.length ? "Chosen, not uploaded yet: save to upload it." : "";
    });
    input.form?.addEventListener("submit", () => { leavingBySaving = true; });
  }
  window.addEventListener("beforeunload", (event) => {
    if (pending() && !leavingBySaving) event.preventDefault();
  });
}

// Long work (signing, deciding) says that it is working, and cannot be sent twice: the form's
// data-working text replaces its button's, which stays disabled until the next page.
function showWorking(root) {
  root.querySelectorAll("form[data-working]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (form.getAttribute("aria-busy") === "true") {
        event.preventDefault();
        return;
      }
      form.setAttribute("aria-busy", "true");
      const button = event.submitter || form.querySelector('[type="submit"]');
      if (!button) return;
      // Disabled after this event, so the browser still sends the button's own name and value.
      setTimeout(() => {
        button.disabled = true;
        button.replaceChildren();
        const spinner = document.createElement("span");
        spinner.className = "spinner-border spinner-border-sm me-2";
        spinner.setAttribute("aria-hidden", "true");
        button.append(spinner, form.dataset.working);
      });
      const status = document.createElement("p");
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      form.append(status);
      setTimeout(() => { status.textContent = form.dataset.working; }, 50);
    });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  syncNotApplicable(document);
  showWorking(document);
  // On a phone the section list is one scrolling row: bring the current section into view.
  document.querySelector(".section-nav [aria-current=page]")
    ?.scrollIntoView({ block: "nearest", inline: "center" });
  guardPickedFiles(document);
  // After an autosave, show or hide the questions whose conditions changed.
  document.body.addEventListener("portal:visibility", (event) => {
    for (const id of event.detail.show || []) {
      const block = document.getElementById(domId(id));
      if (block) block.hidden = false;
    }
    for (const id of event.detail.hide || []) {
      const block = document.getElementById(domId(id));
      if (block) block.hidden = true;
    }
  });
});
