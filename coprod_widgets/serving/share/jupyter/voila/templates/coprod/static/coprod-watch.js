/* Watches a Voilà page so that it never fails silently.
 *
 * - A page that has not shown its app within renderTimeoutSeconds says so, with a Reload button
 *   (Voilà can stall at "Executing x of y").
 * - When the kernel's websocket closes, or every pollSeconds, the page asks the server whether its
 *   kernel is still alive (GET coprod/api/page/<kernel id>); if it has ended (left idle, made room,
 *   died, or the server was restarted) the page says why, that nothing saved was lost, and offers Reload.
 * - A page whose kernel ended before its app was ever on screen holds nothing typed yet: it reloads
 *   by itself (up to three times in a row) instead of asking.
 */
(function () {
  "use strict";
  var cfg = window.coprodWatch || {};
  var base = cfg.baseUrl || "/";
  var shown = false;
  var ready = false;
  var failures = 0;
  var RELOADS = "coprodWatchReloads";
  var AFTER = " Nothing you saved was lost. Reload the page to go on.";
  var MESSAGES = {
    slow: ["This page is taking too long to open",
           "The server has not finished opening this page. Nothing you saved was lost. Reload the page to try again."],
    idle: ["This page was closed because it was not used for a while",
           "To keep the server free for others, a page left unused for {minutes} minutes is closed." + AFTER],
    unused: ["This page lost its connection to the server",
             "The page was away from the server for too long and was closed." + AFTER],
    shed: ["This page lost its connection to the server",
           "The page was away from the server while it was busy, and was closed." + AFTER],
    died: ["This page stopped working on the server",
           "Something went wrong on the server while this page was open." + AFTER],
    unknown: ["The connection to the server was lost",
              "The server may have been restarted." + AFTER],
    lost: ["The connection to the server was lost",
           "The server cannot be reached at the moment. Check your internet connection." + AFTER]
  };

  function kernelId() {
    var el = document.getElementById("jupyter-config-data");
    if (!el) { return null; }
    try { return JSON.parse(el.textContent).kernelId || null; } catch (e) { return null; }
  }

  function show(kind, minutes) {
    if (shown) { return; }
    shown = true;
    var text = MESSAGES[kind] || MESSAGES.unknown;
    var overlay = document.createElement("div");
    overlay.className = "coprod-ended";
    overlay.setAttribute("data-reason", kind);
    overlay.setAttribute("role", "alertdialog");
    overlay.setAttribute("aria-modal", "true");
    overlay.setAttribute("aria-labelledby", "coprod-ended-title");
    overlay.setAttribute("aria-describedby", "coprod-ended-text");
    overlay.style.cssText = "position:fixed;inset:0;z-index:10000;background:rgba(255,255,255,0.97);" +
      "display:flex;align-items:center;justify-content:center;font-family:system-ui,sans-serif;";
    var box = document.createElement("div");
    box.style.cssText = "max-width:36rem;padding:1.5rem;border:2px solid #1a1a1a;border-radius:8px;" +
      "background:#fff;color:#1a1a1a;font-size:1.125rem;line-height:1.5;";
    var title = document.createElement("h1");
    title.id = "coprod-ended-title";
    title.style.cssText = "font-size:1.5rem;margin:0 0 0.75rem 0;";
    title.textContent = text[0];
    var body = document.createElement("p");
    body.id = "coprod-ended-text";
    body.textContent = text[1].replace("{minutes}", String(minutes || 30));
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "Reload the page";
    button.style.cssText = "font-size:1.125rem;padding:0.6rem 1.2rem;min-height:44px;cursor:pointer;";
    button.addEventListener("click", function () { window.location.reload(); });
    box.appendChild(title);
    box.appendChild(body);
    box.appendChild(button);
    overlay.appendChild(box);
    document.body.appendChild(overlay);
    button.focus();
  }

  function reloadQuietly() {
    var done = 0;
    try { done = Number(window.sessionStorage.getItem(RELOADS) || "0"); } catch (e) { return false; }
    if (done >= 3) { return false; }
    try { window.sessionStorage.setItem(RELOADS, String(done + 1)); } catch (e) { return false; }
    shown = true;
    window.location.reload();
    return true;
  }

  function ended(reason, minutes) {
    if (!ready && reloadQuietly()) { return; }
    show(reason, minutes);
  }

  function check(whenLive) {
    var id = kernelId();
    if (shown || !id) { if (whenLive && !shown) { whenLive(); } return; }
    fetch(base + "coprod/api/page/" + id, {cache: "no-store", credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      })
      .then(function (state) {
        failures = 0;
        if (state.state === "ended") { ended(state.reason, state.idle_minutes); } else if (whenLive) { whenLive(); }
      })
      .catch(function () {
        failures += 1;
        if (failures >= 2) { ended("lost"); } else { window.setTimeout(function () { check(whenLive); }, 3000); }
      });
  }

  // Notice at once when the kernel's websocket closes.
  var NativeWebSocket = window.WebSocket;
  function WatchedWebSocket(url, protocols) {
    var socket = protocols === undefined ? new NativeWebSocket(url) : new NativeWebSocket(url, protocols);
    if (/\/api\/kernels\/[^/]+\/channels/.test(String(url))) {
      socket.addEventListener("close", function () { window.setTimeout(function () { check(); }, 500); });
    }
    return socket;
  }
  WatchedWebSocket.prototype = NativeWebSocket.prototype;
  ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (name) {
    WatchedWebSocket[name] = NativeWebSocket[name];
  });
  window.WebSocket = WatchedWebSocket;

  // The page must show its app in time; afterwards, ask now and then whether the kernel is alive.
  // As soon as the kernel is known, ask about it once: that tells the server a browser is loading this page
  // (so it is not mistaken for a robot's and ended to make room), and finds a kernel already gone.
  var started = Date.now();
  var claimed = false;
  var readyTimer = window.setInterval(function () {
    if (!claimed && kernelId()) {
      claimed = true;
      check();
    }
    if (document.querySelector(cfg.readySelector || ".coprod-app")) {
      window.clearInterval(readyTimer);
      ready = true;
      try { window.sessionStorage.removeItem(RELOADS); } catch (e) { /* private mode: nothing to clear */ }
      window.setInterval(function () { check(); }, 1000 * (cfg.pollSeconds || 20));
    } else if (Date.now() - started > 1000 * (cfg.renderTimeoutSeconds || 60)) {
      window.clearInterval(readyTimer);
      check(function () { show("slow"); });
    }
  }, 500);
  window.addEventListener("beforeunload", function () { shown = true; });
})();
