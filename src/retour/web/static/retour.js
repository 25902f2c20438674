/* retour: the dashboard's own script (no inline scripts: the Content-Security-Policy).
 *
 * While htmx replaces a region marked data-busy (the figures' results), the region says so:
 * aria-busy="true" for assistive technology, and the stylesheet dims the old content,
 * makes it unselectable and shows the "loading" line. htmx puts the class htmx-request on
 * the region (hx-indicator) for as long as any of its requests runs; this mirrors it.
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
  document.addEventListener("htmx:beforeSend", mark);
  document.addEventListener("htmx:afterRequest", mark);
})();
