/* retour: the dashboard's own script (no inline scripts: the Content-Security-Policy).
 *
 * While htmx replaces a region marked data-busy (the figures' results), the region says so:
 * aria-busy="true" for assistive technology, and the stylesheet dims the old content,
 * makes it unselectable and shows the "loading" line. htmx puts the class htmx-request on
 * the region (hx-indicator) for as long as any of its requests runs; this mirrors it.
 *
 * A change that fails (the server or the network) leaves the old content in place: the
 * region is marked "failed" (dimmed, unselectable, an alert says so) until the next change
 * arrives. An answer 400 (a filter that cannot be answered) is shown: it says why.
 *
 * When htmx puts a new address in the history (the figures' filters), the forms that send
 * the reader back to this page (the language switch) take the new address along.
 */
(function () {
  "use strict";
  function mark() {
    document.querySelectorAll("[data-busy]").forEach(function (region) {
      if (region.classList.contains("htmx-request")) {
        region.setAttribute("aria-busy", "true");
      } else {
        region.removeAttribute("aria-busy");
      }
    });
  }
  function failed(evt) {
    var target = evt.detail && evt.detail.target;
    var region = target && target.closest("[data-busy]");
    if (region) {
      region.classList.add("failed");
    }
  }
  function succeeded(evt) {
    var target = evt.detail && evt.detail.target;
    var region = target && target.closest("[data-busy]");
    if (region) {
      region.classList.remove("failed");
    }
  }
  document.addEventListener("htmx:beforeSend", mark);
  document.addEventListener("htmx:afterRequest", mark);
  document.addEventListener("htmx:afterSwap", succeeded);
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:timeout", failed);
  document.addEventListener("htmx:pushedIntoHistory", function () {
    var here = window.location.pathname + window.location.search;
    document.querySelectorAll('form input[name="next"]').forEach(function (field) {
      field.value = here;
    });
  });
})();
