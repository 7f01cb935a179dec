/*
 * The workbook page's small jobs, loaded in <head> before anything else.
 * They used to be inline scripts and inline event handlers; the page's
 * Content-Security-Policy (workbook/web/policy.py) allows scripts from this
 * server only, so they live here.  Plain ES5: no build step.
 */
(function () {
  "use strict";

  /* Voila streams <script>window.voila_heartbeat()</script> into a page that takes
     long to render (allowed by its hash in the policy): nothing to do. */
  window.voila_heartbeat = function () {};

  /* The page script did not arrive (connection dropped while loading). */
  function scriptFailed() {
    var text = document.querySelector("#loading .wb-loading-text");
    var spinner = document.querySelector("#loading .wb-spinner");
    if (spinner) { spinner.remove(); }
    if (text) { text.textContent = "This page could not load. Your saved answers are safe: please reload the page."; }
  }
  window.addEventListener("error", function (event) {
    var target = event.target;
    if (target && target.tagName === "SCRIPT" && /workbook-widgets\.js/.test(target.src || "")) {
      scriptFailed();
    }
  }, true);

  /* A kernel shut down while the page stayed open (idle, or the server
     restarted) cannot answer any more: say so instead of ignoring clicks. */
  function watchKernel() {
    var data = document.getElementById("jupyter-config-data");
    var notice = document.getElementById("wb-reload");
    if (!data || !notice || !window.fetch) { return; }
    var config = JSON.parse(data.textContent);
    if (!config.kernelId) { return; }
    var url = (config.baseUrl || "/") + "api/kernels/" + config.kernelId;
    function check() {
      if (!notice.hidden || document.visibilityState === "hidden") { return; }
      fetch(url, { cache: "no-store", credentials: "same-origin" }).then(function (reply) {
        if (reply.status === 404) { notice.hidden = false; }
      }).catch(function () { /* offline for a moment: try again later */ });
    }
    window.setInterval(check, 60000);
    document.addEventListener("visibilitychange", check);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var reload = document.getElementById("wb-reload-button");
    if (reload) {
      reload.addEventListener("click", function () { window.location.reload(); });
    }
    watchKernel();
  });
})();
