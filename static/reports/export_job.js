// Follows an export job on its page: polls the job's JSON status (the API) until it is finished, moving
// the progress bar, then shows the download link. Without JavaScript the page refreshes itself instead.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box || box.dataset.finished === "true") {
    return;
  }
  var bar = document.getElementById("export-progress");
  var percent = document.getElementById("export-percent");
  var status = document.getElementById("export-status");
  var message = document.getElementById("export-message");
  var download = document.getElementById("export-download");
  var link = document.getElementById("export-download-link");
  var filename = document.getElementById("export-filename");
  var expires = document.getElementById("export-expires");
  var delay = 1000;

  function show(job) {
    bar.value = job.progress;
    bar.textContent = job.progress + "%";
    percent.textContent = job.progress + "%";
    status.textContent = job.status_label;
    status.className = "job-status job-" + job.status;
    if (job.message) {
      message.textContent = job.message;
      message.hidden = false;
    }
    if (job.status === "failed") {
      document.getElementById("export-restart").hidden = false;
    }
    if (job.download_url) {
      link.href = job.download_url;
      filename.textContent = job.filename;
      expires.textContent = (job.expires_at || "").slice(0, 16).replace("T", " ");
      download.hidden = false;
    }
  }

  function poll() {
    fetch(box.dataset.statusUrl, {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (job) {
        show(job);
        delay = 1000;
        if (!job.is_finished) {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, 500);
})();
