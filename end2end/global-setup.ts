// Waits until the server under test answers /healthz (cargo-leptos and our scripts start the
// server and the tests at the same time).
export default async function globalSetup() {
  const base = process.env.TB_BASE_URL ?? "http://127.0.0.1:3900";
  const deadline = Date.now() + 120_000;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server at ${base} did not become healthy within 120 s (last: ${last})`);
}
