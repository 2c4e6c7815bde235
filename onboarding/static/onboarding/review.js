// Focusing a proposal highlights the words it came from (and scrolls them into view).
document.addEventListener("focusin", (event) => {
  const box = event.target.closest(".proposal[data-id]");
  if (!box) return;
  const id = box.dataset.id;
  document.querySelectorAll(".proposal.active, mark.active").forEach((el) => el.classList.remove("active"));
  box.classList.add("active");
  const marks = [...document.querySelectorAll("mark[data-ids]")].filter((m) => m.dataset.ids.split(" ").includes(id));
  marks.forEach((m) => m.classList.add("active"));
  if (marks.length) marks[0].scrollIntoView({ block: "center", behavior: "auto" });
});
