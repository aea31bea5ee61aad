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

document.addEventListener("DOMContentLoaded", () => {
  syncNotApplicable(document);
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
