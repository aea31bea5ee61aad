// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Reveal the justification box only when "not applicable" is ticked (it is visible without JS).
  document.querySelectorAll("[data-na-toggle]").forEach((box) => {
    const target = document.getElementById(box.dataset.naToggle);
    if (!target) return;
    const sync = () => { target.hidden = !box.checked; };
    box.addEventListener("change", sync);
    sync();
  });
});
