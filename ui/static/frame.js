// Installed once per browser tab; later runs only pass new settings (the language may change).
(function () {
  const doc = document;
  doc.documentElement.lang = window.jesrFrame.lang;
  if (window.jesrFrameInstalled) { window.jesrFrameRefresh(); return; }
  window.jesrFrameInstalled = true;

  // data-title: the tooltips of a chart's tool bar (Streamlit adds its own English "Fullscreen").
  const ATTRIBUTES = ["aria-label", "title", "placeholder", "data-title"];
  // Containers of Streamlit's own visible words; typed or stored text elsewhere is never touched.
  const TEXT_PLACES = [
    "[data-testid='stSkipToContent']",
    "[data-testid='stFileUploaderDropzone']",
    "[data-testid='stFileUploaderFile']",
    "[data-testid='stStatusWidget']",
    "[data-testid='stSidebarNavViewButton']",
    "[data-baseweb='menu'] li",
    "[role='tooltip']",
    "[aria-live]",
    "[data-baseweb='select']",
    "[data-placeholder]",
  ].join(",");

  function translate(text) {
    const words = window.jesrFrame.words;
    const trimmed = text.trim();
    if (Object.prototype.hasOwnProperty.call(words.exact, trimmed)) return words.exact[trimmed];
    const limit = trimmed.match(/^(?:Limit\s+)?(\d+)\s*MB per file(.*)$/);
    if (limit) return words.prefix["Limit "].replace("{size}", limit[1]) + limit[2];
    for (const [pattern, ours] of Object.entries(words.patterns)) {
      const found = trimmed.match(new RegExp(pattern));
      if (found) return ours.replace("{n}", found[1]);
    }
    for (const [english, ours] of Object.entries(words.prefix)) {
      if (english !== "Limit " && trimmed.startsWith(english)) return ours.replace("{rest}", trimmed.slice(english.length));
    }
    return null;
  }

  function pass() {
    for (const el of doc.querySelectorAll("[aria-label], [title], input[placeholder], [data-title]")) {
      for (const name of ATTRIBUTES) {
        const value = el.getAttribute(name);
        if (!value) continue;
        const ours = translate(value);
        if (ours !== null && ours !== value) el.setAttribute(name, ours);
      }
    }
    for (const place of doc.querySelectorAll(TEXT_PLACES)) {
      const walker = doc.createTreeWalker(place, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const ours = translate(node.nodeValue);
        if (ours !== null && ours !== node.nodeValue.trim()) node.nodeValue = ours;
      }
    }
  }

  let scheduled = false;
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => { scheduled = false; pass(); });
  }
  window.jesrFrameRefresh = schedule;
  new MutationObserver(schedule).observe(doc.body, {
    subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ATTRIBUTES,
  });

  // On a phone the menu covers the page: close it once a page is chosen.
  doc.addEventListener("click", (event) => {
    if (window.innerWidth >= window.jesrFrame.phoneWidth) return;
    if (!event.target.closest("[data-testid='stSidebarNav'] a")) return;
    setTimeout(() => {
      const sidebar = doc.querySelector("[data-testid='stSidebar']");
      if (!sidebar || sidebar.getAttribute("data-collapsed") === "true") return;
      const button = sidebar.querySelector("[data-testid='stSidebarCollapseButton'] button, button[aria-controls='stSidebar']")
        || sidebar.querySelector("[data-testid='stSidebarHeader'] button");
      if (button) button.click();
    }, 0);
  }, true);
  schedule();
})();
