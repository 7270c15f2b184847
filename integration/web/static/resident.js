// The resident's pages: photo checks and previews, one submission per tap, a live timeline.
(function () {
  "use strict";
  // The photo picker, on each page that takes photos (the report, the completion).
  const photos = document.getElementById("photos");
  if (photos) {
    const previews = document.getElementById("previews");
    const problem = document.getElementById("photos-error");

    // Photos add up: each pick adds to those chosen, each can be removed, and a file that is
    // not a photo is said at once. The input's own list is rebuilt from the chosen ones, so the
    // form sends exactly what the previews show.
    const most = Number(photos.dataset.maxFiles);
    const largest = Number(photos.dataset.maxBytes);
    const types = photos.accept.split(",");
    const picker = photos.form.querySelector("label.picker");
    let chosen = [];

    const say = (message) => {
      problem.textContent = message;
      photos.closest(".field").classList.toggle("invalid", message !== "");
    };
    const show = () => {
      const transfer = new DataTransfer();
      chosen.forEach((file) => transfer.items.add(file));
      photos.files = transfer.files;
      picker.hidden = chosen.length >= most;
      previews.replaceChildren(...chosen.map((file, index) => {
        const tile = document.createElement("figure");
        tile.className = "preview";
        const img = new Image();
        img.alt = `照片 ${index + 1}：${file.name}`;
        img.src = URL.createObjectURL(file);
        img.addEventListener("error", () => {
          chosen = chosen.filter((other) => other !== file);
          show();
          say(`「${file.name}」不是照片，无法显示，已移除`);
        });
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "remove";
        remove.textContent = "×";
        remove.setAttribute("aria-label", `删除照片 ${index + 1}`);
        remove.addEventListener("click", () => {
          chosen = chosen.filter((other) => other !== file);
          say("");
          show();
        });
        tile.append(img, remove);
        return tile;
      }));
    };

    photos.addEventListener("change", () => {
      const problems = [];
      for (const file of photos.files) {
        const same = (other) => other.name === file.name && other.size === file.size
          && other.lastModified === file.lastModified;
        if (chosen.some(same)) continue;
        if (!types.includes(file.type)) {
          problems.push(`「${file.name}」不是照片，请选择 JPG、PNG 或 WebP 图片`);
        } else if (file.size > largest) {
          problems.push(`「${file.name}」超过 5 MB，请换一张或压缩后再传`);
        } else if (chosen.length >= most) {
          problems.push(`最多上传 ${most} 张照片`);
        } else {
          chosen.push(file);
        }
      }
      say(problems.join("；"));
      show();
    });
  }

  // One submission per tap, on every page's form that posts anew (the report, the completion).
  for (const id of ["report", "completion"]) {
    const posting = document.getElementById(id);
    if (posting) {
      posting.addEventListener("submit", () => {
        const button = posting.querySelector("button[type=submit]");
        button.disabled = true;
        button.textContent = "正在提交…";
      });
    }
  }

  const form = document.getElementById("report");
  if (form) {
    const button = form.querySelector("button[type=submit]");
    const key = form.elements.namedItem("key");

    // The description's length, as the server counts it (characters, not UTF-16 units): what
    // is over the limit is shown, never cut off behind the resident's back.
    const description = document.getElementById("description");
    const counter = document.getElementById("description-count");
    const limit = Number(description.dataset.maxLength);
    const count = () => {
      const length = [...description.value].length;
      const over = length - limit;
      counter.textContent = over > 0 ? `${length}/${limit}，多了 ${over} 个字` : `${length}/${limit}`;
      counter.classList.toggle("over", over > 0);
      description.setCustomValidity(over > 0 ? `问题描述最多 ${limit} 个字，请删掉 ${over} 个字` : "");
    };
    description.addEventListener("input", count);
    count();

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
        // The page's own address: after a refused 催单 the browser shows the form's.
        const response = await fetch(live.dataset.url, { cache: "no-store" });
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

// The signature pad: a finger (or a mouse) draws; the drawing goes with the form as a PNG.
(function () {
  "use strict";
  const pad = document.getElementById("signature-pad");
  if (!pad) return;
  const form = pad.closest("form");
  const field = document.getElementById("signature");
  const pen = pad.getContext("2d");
  let drawing = false;
  let drawn = false;

  // The canvas's pixels follow its size on screen and the screen's density: sharp strokes.
  const fit = () => {
    const ratio = Math.min(window.devicePixelRatio || 1, 3);
    pad.width = Math.round(pad.clientWidth * ratio);
    pad.height = Math.round(pad.clientHeight * ratio);
    pen.scale(ratio, ratio);
    pen.lineWidth = 2.5;
    pen.lineCap = "round";
    pen.lineJoin = "round";
    pen.strokeStyle = "#1f2328";
    drawn = false;
    field.value = "";
  };
  const point = (event) => {
    const box = pad.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  };
  pad.addEventListener("pointerdown", (event) => {
    drawing = true;
    pad.classList.remove("missing");
    document.getElementById("signature-error").textContent = "";
    pad.setPointerCapture(event.pointerId);
    const [x, y] = point(event);
    pen.beginPath();
    pen.moveTo(x, y);
    event.preventDefault();
  });
  pad.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    const [x, y] = point(event);
    pen.lineTo(x, y);
    pen.stroke();
    drawn = true;
    event.preventDefault();
  });
  const stop = () => {
    drawing = false;
    if (drawn) field.value = pad.toDataURL("image/png");
  };
  pad.addEventListener("pointerup", stop);
  pad.addEventListener("pointercancel", stop);
  document.getElementById("signature-clear").addEventListener("click", () => {
    pen.setTransform(1, 0, 0, 1, 0, 0);
    pen.clearRect(0, 0, pad.width, pad.height);
    fit();
  });
  // Checked on the tap, before the browser checks the stars: the signature is asked first.
  form.querySelector("button[type=submit]").addEventListener("click", (event) => {
    const missing = !drawn;
    pad.classList.toggle("missing", missing);
    document.getElementById("signature-error").textContent =
      missing ? "请先在签名框里签名，再确认修好" : "";
    if (missing) {
      event.preventDefault();
      pad.scrollIntoView({ block: "center" });
    }
  });
  form.addEventListener("submit", () => {
    field.value = pad.toDataURL("image/png");
  });
  fit();
})();
