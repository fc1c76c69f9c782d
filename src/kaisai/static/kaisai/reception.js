/* kaisai reception (受付): scan tickets with the phone's camera, search people by name, check
 * them in — also offline.
 *
 * Every scan and every tap on "Check in" is first written to a queue in localStorage with a
 * client nonce (crypto.randomUUID) and the time of the scan, then sent. When the network is
 * down the entries stay in the queue and are sent again every few seconds and when the
 * browser says it is online again; the server takes each nonce once and keeps the original
 * time (it also receives the time of sending, so that a phone's wrong clock does not matter).
 *
 * The QR code of a ticket encodes BASE_URL/t/<token>/; the token is what is sent.
 * Decoding uses jsQR (static/vendor/jsqr, Apache-2.0), loaded before this file.
 * Everything shown comes from the server's JSON and is written with textContent.
 */
(function () {
  "use strict";

  const root = document.getElementById("reception");
  if (!root) return;
  const cfg = root.dataset;
  const S = JSON.parse(document.getElementById("reception-strings").textContent);
  const QUEUE_KEY = "kaisai.reception.queue." + cfg.event;
  const RETRY_MS = 3000;
  const COUNTER_MS = 5000;
  const FETCH_TIMEOUT_MS = 10000;
  const SCAN_EVERY_MS = 120;
  const SAME_CODE_MS = 3000; // a code in view again after this long counts as a new scan
  const TOKEN_IN_URL = /\/t\/([A-Za-z0-9_-]{16,64})\/?(?:[?#].*)?$/;
  const BARE_TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

  const $ = (selector) => root.querySelector(selector);
  const el = {
    checkedIn: $("[data-checked-in]"),
    accepted: $("[data-accepted]"),
    queue: $("[data-queue]"),
    queueText: $("[data-queue-text]"),
    offline: $("[data-offline]"),
    cameraBox: $("[data-camera-box]"),
    video: $("[data-video]"),
    cameraToggle: $("[data-camera-toggle]"),
    cameraMessage: $("[data-camera-message]"),
    result: $("[data-result]"),
    searchForm: $("[data-search-form]"),
    searchInput: $("#reception-q"),
    searchMessage: $("[data-search-message]"),
    results: $("[data-results]"),
    recentBox: $("[data-recent-box]"),
    recent: $("[data-recent]"),
  };
  const cardTemplate = document.getElementById("person-card");

  // --- the queue (localStorage) ------------------------------------------------------------

  function loadQueue() {
    try {
      const queue = JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]");
      return Array.isArray(queue) ? queue : [];
    } catch (error) {
      return [];
    }
  }

  function saveQueue(queue) {
    localStorage.setItem(QUEUE_KEY, JSON.stringify(queue));
    renderQueue();
  }

  function removeFromQueue(nonce) {
    saveQueue(loadQueue().filter((item) => item.nonce !== nonce));
  }

  function newNonce() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16)); // not a secure context
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  let online = navigator.onLine;

  function setOnline(value) {
    online = value;
    renderQueue();
  }

  function renderQueue() {
    const count = loadQueue().length;
    el.queue.hidden = count === 0 && online;
    el.queueText.textContent =
      count === 0 ? "" : count === 1 ? S.waiting_one : S.waiting_many.replace("%(count)s", count);
    el.offline.hidden = online;
    el.queue.dataset.count = String(count);
  }

  // --- talking to the server ---------------------------------------------------------------

  async function request(url, options) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), FETCH_TIMEOUT_MS);
    try {
      const response = await fetch(url, {
        credentials: "same-origin",
        signal: controller.signal,
        ...options,
        headers: { Accept: "application/json", ...(options && options.headers) },
      });
      setOnline(true);
      let data = null;
      if ((response.headers.get("Content-Type") || "").startsWith("application/json")) {
        data = await response.json();
      }
      return { response, data };
    } catch (error) {
      setOnline(false); // no network (or the server did not answer in time)
      return { response: null, data: null };
    } finally {
      clearTimeout(timer);
    }
  }

  function post(url, body) {
    return request(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": cfg.csrf },
      body: JSON.stringify(body),
    });
  }

  let flushing = false;

  /* Send the waiting entries one by one, oldest first. Stops at the first that could not be
   * delivered (no network, logged out, server busy): it is tried again later. */
  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      for (;;) {
        const queue = loadQueue();
        if (queue.length === 0) break;
        const item = queue[0];
        const url = item.kind === "scan" ? cfg.scanUrl : cfg.checkInUrl;
        const { response, data } = await post(url, {
          ...item.body,
          nonce: item.nonce,
          scanned_at: item.scanned_at,
          sent_at: new Date().toISOString(),
        });
        if (!response) break; // offline: keep it
        if (!data || response.status === 429 || response.status >= 500) {
          const loggedOut = !data && response.status < 500;
          problem(item, loggedOut ? S.session_ended : (data && data.message) || S.server_busy);
          break;
        }
        removeFromQueue(item.nonce);
        delivered(item, data);
      }
    } finally {
      flushing = false;
      renderQueue();
    }
  }

  function problem(item, message) {
    if (item.nonce === currentNonce) showState(el.result.firstElementChild, "pending", message);
  }

  function delivered(item, data) {
    if (data.counter) renderCounter(data.counter);
    const state = { checked_in: "ok", already: "warn" }[data.result] || "error";
    let text = data.result === "checked_in" ? S.checked_in : data.message;
    if (data.result === "checked_in" && data.late) text += " (" + S.sent_late + ")";
    addRecent(item, data, state, text);
    if (item.kind === "scan" && item.nonce === currentNonce) {
      renderResult(data, state, text);
    }
    if (data.person) updateSearchCards(data);
    if (item.nonce === currentNonce && navigator.vibrate) {
      navigator.vibrate(state === "ok" ? 80 : [60, 60, 60]);
    }
  }

  let currentNonce = null;

  function pendingText(duplicate) {
    return duplicate ? S.queued_already : online ? S.sending : S.saved_offline;
  }

  function isWaiting(item) {
    return loadQueue().some((waiting) => waiting.nonce === item.nonce);
  }

  function enqueue(kind, body, person) {
    const queue = loadQueue();
    const same = queue.find((item) =>
      kind === "scan"
        ? item.kind === "scan" && item.body.token === body.token
        : item.kind === "check_in" && item.body.registration === body.registration
    );
    if (same) return { item: same, duplicate: true };
    const item = { kind, body, nonce: newNonce(), scanned_at: new Date().toISOString(), person };
    queue.push(item);
    saveQueue(queue);
    return { item, duplicate: false };
  }

  // --- the counter -------------------------------------------------------------------------

  function renderCounter(counter) {
    el.checkedIn.textContent = counter.checked_in;
    el.accepted.textContent = counter.accepted;
  }

  async function pollCounter() {
    if (document.hidden) return;
    const { response, data } = await request(cfg.counterUrl, {});
    if (response && response.ok && data) renderCounter(data);
  }

  // --- cards -------------------------------------------------------------------------------

  function newCard() {
    return cardTemplate.content.firstElementChild.cloneNode(true);
  }

  function showState(card, state, text) {
    if (!card) return;
    const banner = card.querySelector("[data-state]");
    banner.className = "state state-" + state;
    banner.textContent = text;
    banner.hidden = !text;
  }

  function fillPerson(card, person) {
    const box = card.querySelector("[data-person]");
    box.hidden = !person;
    card.classList.toggle("bare", !person); // a state only (pending scan, unknown ticket)
    if (!person) return;
    card.dataset.registration = person.registration;
    card.querySelector("[data-name]").textContent = person.name;
    card.querySelector("[data-nickname]").textContent = person.nickname;
    card.querySelector("[data-receipt]").textContent =
      person.receipt_number === null ? "—" : "#" + person.receipt_number;
    card.querySelector("[data-frame]").textContent = person.frame;
    const party = person.afterparty;
    card.querySelector("[data-afterparty-label]").hidden = party === null;
    const partyValue = card.querySelector("[data-afterparty]");
    partyValue.hidden = party === null;
    partyValue.textContent = party ? S.yes : S.no;
    const flags = card.querySelector("[data-flags]");
    flags.replaceChildren(
      ...(person.flags || []).map((flag) => {
        const li = document.createElement("li");
        li.className = "badge";
        li.textContent = flag;
        return li;
      })
    );
    flags.hidden = !(person.flags || []).length;
    const notes = card.querySelector("[data-notes]");
    notes.textContent = person.notes || "";
    notes.hidden = !person.notes;
  }

  /* The buttons of a card for a person of this event: check in, or undo a check-in. */
  function setActions(card, person, checkedIn) {
    const checkIn = card.querySelector("[data-check-in]");
    const undo = card.querySelector("[data-undo]");
    const accepted = person && person.status === "accepted";
    checkIn.hidden = !accepted || checkedIn;
    undo.hidden = !accepted || !checkedIn;
    checkIn.onclick = () => tapCheckIn(person);
    undo.onclick = () => tapUndo(person);
  }

  function renderResult(data, state, text) {
    const card = newCard();
    card.classList.add("result-card", "result-" + state);
    fillPerson(card, data.person);
    showState(card, state, text);
    setActions(card, data.person, data.result === "checked_in" || data.result === "already");
    el.result.replaceChildren(card);
  }

  function stateOfSearchRow(row) {
    if (!row.checked_in) return ["none", ""];
    const text = row.by
      ? S.checked_in + " " + row.checked_in_at + " · " + row.by
      : S.checked_in + " " + row.checked_in_at;
    return ["ok", text];
  }

  function renderSearchCard(row) {
    const card = newCard();
    card.classList.add("search-card");
    fillPerson(card, row.person);
    const [state, text] = stateOfSearchRow(row);
    showState(card, state, text);
    setActions(card, row.person, row.checked_in);
    const li = document.createElement("li");
    li.append(card);
    return li;
  }

  function searchCards(registration) {
    return root.querySelectorAll(
      '.search-card[data-registration="' + String(Number(registration)) + '"]'
    );
  }

  function updateSearchCards(data) {
    const checked = data.result === "checked_in" || data.result === "already";
    for (const card of searchCards(data.person.registration)) {
      let state = data.result === "error" ? "error" : checked ? "ok" : "none";
      let text = data.result === "undone" || data.result === "not_checked_in" ? data.message : "";
      if (data.result === "checked_in") text = S.checked_in + " " + data.checked_in_at;
      if (data.result === "already") {
        state = "warn";
        text = data.message;
      }
      if (data.result === "error") text = data.message;
      if (data.result === "undone") state = "info";
      fillPerson(card, data.person);
      showState(card, state, text);
      setActions(card, data.person, checked);
    }
  }

  function addRecent(item, data, state, text) {
    const li = document.createElement("li");
    li.className = "recent recent-" + state;
    // In the event's time zone, not the phone's: the log matches the event's timetable.
    const time = new Date(item.scanned_at).toLocaleTimeString(document.documentElement.lang || [], {
      hour: "2-digit",
      minute: "2-digit",
      hour12: false,
      timeZone: cfg.timeZone || undefined,
    });
    const who = data.person ? data.person.name : item.person ? item.person.name : "";
    li.textContent = time + " · " + (who ? who + " · " : "") + text;
    el.recent.prepend(li);
    while (el.recent.children.length > 20) el.recent.lastElementChild.remove();
    el.recentBox.hidden = false;
  }

  // --- actions -----------------------------------------------------------------------------

  function handleToken(token) {
    const { item, duplicate } = enqueue("scan", { token });
    currentNonce = item.nonce;
    const card = newCard();
    card.classList.add("result-card", "result-pending");
    fillPerson(card, null);
    setActions(card, null, false);
    showState(card, "pending", pendingText(duplicate));
    el.result.replaceChildren(card);
    flush().then(() => {
      if (!online && currentNonce === item.nonce && isWaiting(item)) {
        showState(card, "pending", S.saved_offline);
      }
    });
  }

  function tapCheckIn(person) {
    const { item, duplicate } = enqueue("check_in", { registration: person.registration }, {
      name: person.name,
    });
    currentNonce = item.nonce;
    for (const card of searchCards(person.registration)) {
      showState(card, "pending", pendingText(duplicate));
      card.querySelector("[data-check-in]").hidden = true;
    }
    flush().then(() => {
      if (!online && isWaiting(item)) {
        for (const card of searchCards(person.registration)) {
          showState(card, "pending", S.saved_offline);
        }
      }
    });
  }

  async function tapUndo(person) {
    const queue = loadQueue();
    const waiting = queue.filter(
      (i) => i.kind === "check_in" && i.body.registration === person.registration
    );
    if (waiting.length) {
      saveQueue(queue.filter((i) => !waiting.includes(i)));
      for (const card of searchCards(person.registration)) {
        showState(card, "info", S.removed_from_queue);
        setActions(card, person, false);
      }
      return;
    }
    const { response, data } = await post(cfg.undoUrl, { registration: person.registration });
    if (!response || !data) {
      const selector = '[data-registration="' + Number(person.registration) + '"]';
      for (const card of root.querySelectorAll(selector)) {
        showState(card, "error", response ? S.session_ended : S.undo_offline);
      }
      return;
    }
    if (data.counter) renderCounter(data.counter);
    if (!data.person) return;
    updateSearchCards(data);
    const card = el.result.firstElementChild;
    if (card && card.dataset.registration === String(data.person.registration)) {
      showState(card, "info", data.message);
      setActions(card, data.person, false);
    }
  }

  let searchTimer = null;
  let searchSeq = 0;

  async function runSearch() {
    const query = el.searchInput.value.trim();
    const seq = ++searchSeq;
    if (!query) {
      el.results.replaceChildren();
      el.searchMessage.textContent = "";
      return;
    }
    const url = cfg.searchUrl + "?q=" + encodeURIComponent(query);
    const { response, data } = await request(url, {});
    if (seq !== searchSeq) return; // a newer search has started
    if (!response) {
      el.searchMessage.textContent = S.search_offline;
      return;
    }
    if (!data) {
      el.searchMessage.textContent = S.session_ended;
      return;
    }
    el.results.replaceChildren(...data.results.map(renderSearchCard));
    el.searchMessage.textContent = data.results.length ? "" : S.no_results;
  }

  el.searchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(searchTimer);
    runSearch();
  });
  el.searchInput.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(runSearch, 300);
  });

  // --- the camera --------------------------------------------------------------------------

  let stream = null;
  let scanTimer = null;
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  const seen = new Map(); // code text → last time it was in view

  function tokenOf(text) {
    const inUrl = TOKEN_IN_URL.exec(text.trim());
    if (inUrl) return inUrl[1];
    return BARE_TOKEN.test(text.trim()) ? text.trim() : null;
  }

  function onCode(text) {
    const now = Date.now();
    const last = seen.get(text);
    seen.set(text, now);
    if (last !== undefined && now - last < SAME_CODE_MS) return; // still the same scan
    const token = tokenOf(text);
    if (!token) {
      const card = newCard();
      card.classList.add("result-card", "result-error");
      fillPerson(card, null);
      setActions(card, null, false);
      showState(card, "error", S.not_a_ticket);
      el.result.replaceChildren(card);
      currentNonce = null;
      return;
    }
    handleToken(token);
  }

  function scanFrame() {
    scanTimer = null;
    if (!stream) return;
    const video = el.video;
    if (video.readyState >= 2 && video.videoWidth) {
      const scale = Math.min(1, 640 / video.videoWidth);
      const width = Math.round(video.videoWidth * scale);
      const height = Math.round(video.videoHeight * scale);
      canvas.width = width;
      canvas.height = height;
      context.drawImage(video, 0, 0, width, height);
      const image = context.getImageData(0, 0, width, height);
      const code = window.jsQR(image.data, width, height, { inversionAttempts: "attemptBoth" });
      if (code && code.data) onCode(code.data);
    }
    scanTimer = setTimeout(scanFrame, SCAN_EVERY_MS);
  }

  async function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.jsQR) {
      el.cameraMessage.textContent = S.camera_unavailable;
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment" },
        audio: false,
      });
    } catch (error) {
      stream = null;
      el.cameraMessage.textContent = S.camera_denied;
      return;
    }
    el.video.srcObject = stream;
    el.cameraBox.hidden = false;
    try {
      await el.video.play();
    } catch (error) {
      /* autoplay of a muted inline video is allowed; frames are read anyway */
    }
    el.cameraToggle.textContent = S.stop_camera;
    el.cameraToggle.setAttribute("aria-pressed", "true");
    el.cameraMessage.textContent = S.camera_on;
    scanFrame();
  }

  function stopCamera() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    clearTimeout(scanTimer);
    el.video.srcObject = null;
    el.cameraBox.hidden = true;
    el.cameraToggle.textContent = S.start_camera;
    el.cameraToggle.setAttribute("aria-pressed", "false");
    el.cameraMessage.textContent = "";
  }

  el.cameraToggle.addEventListener("click", () => (stream ? stopCamera() : startCamera()));

  // --- start -------------------------------------------------------------------------------

  window.addEventListener("online", () => {
    setOnline(true);
    flush();
  });
  window.addEventListener("offline", () => setOnline(false));
  window.addEventListener("storage", (event) => {
    if (event.key === QUEUE_KEY) renderQueue(); // another tab of this reception
  });
  setInterval(() => {
    if (loadQueue().length) flush();
  }, RETRY_MS);
  setInterval(pollCounter, COUNTER_MS);
  document.addEventListener("visibilitychange", pollCounter);
  renderQueue();
  flush();
})();
