/* kehu site: the table of contents marks the section being read. Material's own script did
   this (with instant navigation and more); kehu leaves that 114 KB script out because it made
   phones wait on long pages (bench/lighthouse.py, bench/RESULTS.md "Lighthouse").
   Reads positions only when a heading crosses the upper part of the screen. No network. */
(function () {
  "use strict";
  function start() {
    var links = {};
    document.querySelectorAll(".md-nav--secondary a.md-nav__link[href^='#']").forEach(function (link) {
      var id = decodeURIComponent(link.hash.slice(1));
      (links[id] = links[id] || []).push(link);
    });
    var headings = Object.keys(links).map(function (id) { return document.getElementById(id); })
      .filter(Boolean);
    if (!headings.length || !("IntersectionObserver" in window)) return;
    var marked = [];
    function mark() {
      var line = window.innerHeight * 0.35, current = null;
      headings.forEach(function (heading) {  /* headings are in page order */
        if (heading.getBoundingClientRect().top < line) current = heading;
      });
      marked.forEach(function (link) { link.classList.remove("md-nav__link--active"); });
      marked = current ? links[current.id] : [];
      marked.forEach(function (link) { link.classList.add("md-nav__link--active"); });
    }
    var observer = new IntersectionObserver(mark, { rootMargin: "0px 0px -65% 0px" });
    headings.forEach(function (heading) { observer.observe(heading); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
