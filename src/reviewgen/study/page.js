// The rater's page. Data only ever reaches the DOM through textContent, never parsed as HTML,
// and all state lives on the server: a reload resumes at the first unanswered review.
"use strict";
(() => {
  const token = decodeURIComponent(location.pathname.split("/")[2] || "");
  const api = (route) => "/api/" + encodeURIComponent(token) + "/" + route;
  const $ = (id) => document.getElementById(id);
  let item = null;
  let label = null;
  let confidence = null;
  let busy = false;

  function setState(name) {
    document.body.dataset.state = name;
  }

  function setStatus(message) {
    $("status").textContent = message;
  }

  function refresh() {
    for (const button of document.querySelectorAll("[data-label]")) {
      button.setAttribute("aria-pressed", String(button.dataset.label === label));
    }
    for (const button of document.querySelectorAll("[data-confidence]")) {
      button.setAttribute("aria-pressed", String(Number(button.dataset.confidence) === confidence));
    }
    $("submit").disabled = busy || !item || !label || !confidence;
  }

  function show(state) {
    $("progress").textContent = state.done + " / " + state.total;
    $("bar").max = Math.max(state.total, 1);
    $("bar").value = state.done;
    item = state.item;
    label = null;
    confidence = null;
    $("review").hidden = !item;
    $("answer").hidden = !item;
    $("done").hidden = Boolean(item);
    if (item) {
      $("product").textContent = item.product || "";
      $("product").hidden = !item.product;
      const stars = item.stars || 0;
      $("stars").textContent = "\u2605".repeat(stars) + "\u2606".repeat(stars ? 5 - stars : 0);
      $("stars").setAttribute("aria-label", stars + " of 5 stars");
      $("stars").hidden = !stars;
      $("text").textContent = item.text;
      $("comment").value = "";
      $("comment").blur(); // the shortcuts are for the next review, not the comment box
    }
    refresh();
    setState(item ? "ready" : "done");
  }

  async function load() {
    try {
      const response = await fetch(api("state"), { cache: "no-store" });
      if (!response.ok) {
        setStatus(response.status === 403 ? "This link is not valid." : "Error " + response.status);
        setState("error");
        return;
      }
      show(await response.json());
    } catch (error) {
      setStatus("The study server cannot be reached; reload to try again.");
      setState("error");
    }
  }

  async function submit() {
    if (busy || !item || !label || !confidence) return;
    busy = true;
    refresh();
    setState("sending");
    try {
      const response = await fetch(api("answer"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ id: item.id, label, confidence, comment: $("comment").value }),
      });
      if (response.status === 409) {
        setStatus("That review was answered already; here is the next one.");
        busy = false;
        await load();
        return;
      }
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        setStatus(body.error || "Error " + response.status);
        setState("ready");
        return;
      }
      setStatus("");
      busy = false;
      show(body);
    } catch (error) {
      setStatus("Not saved: the study server cannot be reached. Try again.");
      setState("ready");
    } finally {
      busy = false;
      refresh();
    }
  }

  function choose(value) {
    if (!item || busy) return;
    label = value;
    refresh();
  }

  function rate(value) {
    if (!item || busy) return;
    confidence = value;
    refresh();
  }

  for (const button of document.querySelectorAll("[data-label]")) {
    button.addEventListener("click", () => choose(button.dataset.label));
  }
  for (const button of document.querySelectorAll("[data-confidence]")) {
    button.addEventListener("click", () => rate(Number(button.dataset.confidence)));
  }
  $("submit").addEventListener("click", submit);

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    const inComment = event.target === $("comment");
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      submit();
      return;
    }
    if (inComment) {
      if (event.key === "Escape") $("comment").blur();
      return;
    }
    const key = event.key.toLowerCase();
    if (key === "r") choose("real");
    else if (key === "s") choose("synthetic");
    else if (key.length === 1 && key >= "1" && key <= "5") rate(Number(key));
    else if (key === "c") $("comment").focus();
    else return;
    event.preventDefault();
  });

  load();
})();
