// Progressive enhancement only: the pages work without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  for (const id of ["category", "year"]) {
    const el = document.getElementById(id);
    if (el) el.addEventListener("change", () => el.form.submit());
  }
});
