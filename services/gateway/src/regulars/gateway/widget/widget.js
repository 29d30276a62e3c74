// The client widget talks only to the public API, so any business could build its own on it.
const slug = location.pathname.split("/")[2];
const nameEl = document.getElementById("business-name");
const statusEl = document.getElementById("status");

async function loadProfile() {
  const response = await fetch(`/api/v1/b/${encodeURIComponent(slug)}`);
  const body = await response.json();
  if (!response.ok) {
    nameEl.textContent = "Not found";
    statusEl.textContent = body.error.message;
    return;
  }
  document.title = `${body.name} · My account`;
  document.documentElement.lang = body.default_locale;
  nameEl.textContent = body.name;
  statusEl.textContent = body.organization;
}

loadProfile();
