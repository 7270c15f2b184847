// The resident's pages: photo checks and previews, one submission per tap, a live timeline.
(function () {
  "use strict";
  const form = document.getElementById("report");
  if (form) {
    const button = form.querySelector("button[type=submit]");
    const key = form.elements.namedItem("key");
    const photos = document.getElementById("photos");
    const previews = document.getElementById("previews");
    const problem = document.getElementById("photos-error");

    photos.addEventListener("change", () => {
      const files = [...photos.files];
      const most = Number(photos.dataset.maxFiles);
      const big = files.find((f) => f.size > Number(photos.dataset.maxBytes));
      const message = files.length > most ? `最多上传 ${most} 张照片`
        : big ? `「${big.name}」超过 5 MB，请换一张或压缩后再传` : "";
      photos.setCustomValidity(message);
      problem.textContent = message;
      previews.replaceChildren(...files.slice(0, most).map((file) => {
        const img = new Image();
        img.alt = file.name;
        img.src = URL.createObjectURL(file);
        return img;
      }));
    });

    form.addEventListener("submit", () => {
      button.disabled = true;
      button.textContent = "正在提交…";
    });

    // Back from the status page: this is a new report, so it needs a new key.
    window.addEventListener("pageshow", (event) => {
      button.disabled = false;
      button.textContent = "提交报修";
      if (event.persisted) {
        const bytes = crypto.getRandomValues(new Uint8Array(24));
        key.value = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
      }
    });
  }

  const live = document.getElementById("live");
  if (live && live.dataset.refresh) {
    const timer = setInterval(async () => {
      if (document.hidden) return;
      try {
        const response = await fetch(location.href, { cache: "no-store" });
        if (!response.ok) return;
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = page.getElementById("live");
        if (!fresh) return;
        document.getElementById("live").replaceWith(fresh);
        if (!fresh.dataset.refresh) clearInterval(timer);
      } catch (error) {
        // Offline for a moment: the next tick tries again.
      }
    }, Number(live.dataset.refresh) * 1000);
  }
})();
