// Opens an HTML file in Debian's Chromium (headless, driven through playwright-core, pinned in
// package-lock.json; no browser is downloaded) and prints one JSON line: the console errors and
// warnings, uncaught page errors, failed requests, requests that left the file (a self-contained
// report makes none), the title, and how many inline SVGs rendered with a non-empty box.
// Used by tests/integration/eval_html_test.py on `ward eval run --html` reports.
// Usage: node html_in_chromium.mjs FILE   (WARD_CHROMIUM overrides /usr/bin/chromium)
import path from "node:path";
import { chromium } from "playwright-core";

const file = path.resolve(process.argv[2]);
const browser = await chromium.launch({
  executablePath: process.env.WARD_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
try {
  const page = await browser.newPage();
  const errors = [];
  const external = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("requestfailed", (r) => errors.push(`requestfailed: ${r.url()}`));
  page.on("request", (r) => {
    if (r.url() !== `file://${file}` && !r.url().startsWith("data:")) external.push(r.url());
  });
  await page.goto(`file://${file}`, { waitUntil: "load" });
  const shape = await page.evaluate(() => {
    const svgs = [...document.querySelectorAll("svg")];
    const drawn = svgs.filter((s) => {
      const b = s.getBoundingClientRect();
      return b.width > 0 && b.height > 0;
    });
    return { title: document.title, svgs: svgs.length, drawn: drawn.length,
             text_chars: document.body.innerText.length };
  });
  console.log(JSON.stringify({ errors, external, ...shape }));
} finally {
  await browser.close();
}
