// The sandbox page: who you are (per tab), live cards over server-sent events, clicks.
(function () {
  "use strict";
  const list = document.getElementById("messages");
  const picker = document.getElementById("identity");
  if (!list) { document.body.classList.add("on-index"); return; }
  const chat = list.dataset.chat;

  // Identity: ?as=li wins, then what this tab chose before, then the chat's default.
  const params = new URLSearchParams(location.search);
  const stored = sessionStorage.getItem("baoxiu.as");
  const wanted = params.get("as") || stored || picker.dataset.default;
  if (wanted && [...picker.options].some((o) => o.value === wanted)) picker.value = wanted;
  sessionStorage.setItem("baoxiu.as", picker.value);
  picker.addEventListener("change", () => sessionStorage.setItem("baoxiu.as", picker.value));

  const toast = document.getElementById("toast");
  let toastTimer = 0;
  function say(text, level) {
    toast.textContent = text;
    toast.className = "show " + (level || "info");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { toast.className = ""; }, 4000);
  }

  function show(message) {
    document.getElementById("empty")?.remove();
    let node = list.querySelector(`.message[data-id="${message.id}"]`);
    if (node && Number(node.dataset.revision) >= message.revision) return;
    if (!node) {
      node = document.createElement("div");
      node.className = "message";
      node.dataset.id = message.id;
      node.innerHTML = '<div class="sender">报修助手 <time></time></div><div class="bubble"></div>';
      node.querySelector("time").textContent = message.time;
      list.appendChild(node);
      node.scrollIntoView({ behavior: "smooth", block: "end" });
    }
    node.dataset.revision = message.revision;
    // The same card the clicker already got in the click's answer: leave it, or a form they
    // have just opened on it would close under their fingers.
    if (node.shownHtml === message.html) return;
    node.shownHtml = message.html;
    node.querySelector(".bubble").innerHTML = message.html;
  }

  function listen() {
    const seen = new URLSearchParams();
    list.querySelectorAll(".message").forEach((n) => seen.set(n.dataset.id, n.dataset.revision));
    const events = new EventSource(`/sandbox/c/${encodeURIComponent(chat)}/events?${seen}`);
    events.addEventListener("message", (e) => show(JSON.parse(e.data)));
    events.onerror = () => { events.close(); setTimeout(listen, 2000); };
  }
  listen();

  async function send(node, value, form) {
    const message = node.closest(".message");
    const controls = message.querySelectorAll("button, summary");
    controls.forEach((c) => { c.disabled = true; });
    try {
      const response = await fetch(`/sandbox/c/${encodeURIComponent(chat)}/click`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          message_id: Number(message.dataset.id),
          value: JSON.parse(value),
          form,
          member: picker.value,
          click_id: crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now(),
        }),
      });
      const answer = await response.json();
      say(answer.toast, answer.level);
      if (answer.html) {
        message.shownHtml = answer.html;
        message.querySelector(".bubble").innerHTML = answer.html;
      }
    } catch (error) {
      say("网络错误，请重试", "error");
    } finally {
      controls.forEach((c) => { c.disabled = false; });
    }
  }

  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-value]");
    if (button) send(button, button.dataset.value, {});
  });
  list.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-value]");
    if (!form) return;
    event.preventDefault();
    send(form, form.dataset.value, Object.fromEntries(new FormData(form)));
  });
})();
