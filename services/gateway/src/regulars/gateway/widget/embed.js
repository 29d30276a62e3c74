// Put a "My account" button for your business on any web page:
//   <script src="https://YOUR-REGULARS-HOST/w/_/embed.js" data-business="your-slug" defer></script>
// Options (data-*): business (required), label (button text), path (a widget route, e.g.
// "sign-up"), target ("_blank" by default; "_self" to open in the same tab).
(function () {
  const script = document.currentScript;
  if (!script) return;
  const slug = script.dataset.business;
  if (!slug || !/^[a-z0-9-]+$/.test(slug)) return;
  const origin = new URL(script.src).origin;
  const path = (script.dataset.path || "").replace(/^\/+/, "");
  const link = document.createElement("a");
  link.href = `${origin}/w/${slug}/${path}`;
  link.textContent = script.dataset.label || "My account";
  link.className = "regulars-account-button";
  link.target = script.dataset.target || "_blank";
  if (link.target === "_blank") link.rel = "noopener";
  link.style.cssText =
    "display:inline-block;padding:.6em 1.1em;border-radius:10px;background:#2f4fc4;color:#fff;font:600 16px/1.4 system-ui,sans-serif;text-decoration:none";
  if (script.dataset.color && /^#[0-9a-fA-F]{6}$/.test(script.dataset.color)) link.style.background = script.dataset.color;
  script.after(link);
})();
