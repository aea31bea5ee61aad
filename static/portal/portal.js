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

document.addEventListener("DOMContentLoaded", () => {
  syncNotApplicable(document);
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
