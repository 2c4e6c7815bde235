// Focusing a proposal highlights the words it came from and scrolls the document pane (never the page,
// so the field being clicked stays where it is) to show them.
document.addEventListener("focusin", (event) => {
  const box = event.target.closest(".proposal[data-id]");
  if (!box) return;
  const id = box.dataset.id;
  document.querySelectorAll(".proposal.active, mark.active").forEach((el) => el.classList.remove("active"));
  box.classList.add("active");
  const marks = [...document.querySelectorAll("mark[data-ids]")].filter((m) => m.dataset.ids.split(" ").includes(id));
  marks.forEach((m) => m.classList.add("active"));
  const pane = document.querySelector(".onboarding-review .document");
  if (marks.length && pane) {
    const top = marks[0].getBoundingClientRect().top - pane.getBoundingClientRect().top + pane.scrollTop;
    pane.scrollTop = Math.max(0, top - pane.clientHeight / 3);
  }
});
