// Build the pages' front-end assets from npm packages into src/dst/web/static/build (git-ignored).
// Only the USWDS packages the pages use are compiled, so a dashboard stays well under 300 KB.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass-embedded";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const uswds = path.join(root, "node_modules", "@uswds", "uswds");
const out = path.join(root, "src", "dst", "web", "static", "build");
// Regular and bold Source Sans Pro are the only faces the styles ask for; the browser fetches a face
// only when text uses it, but copying just these keeps the package small.
const FONTS = ["sourcesanspro-regular-webfont.woff2", "sourcesanspro-bold-webfont.woff2", "sourcesanspro-italic-webfont.woff2"];

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, "fonts", "source-sans-pro"), { recursive: true });

const started = Date.now();
const result = await sass.compileAsync(path.join(root, "src", "dst", "web", "assets", "uswds-subset.scss"), {
  loadPaths: [path.join(uswds, "packages")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin", "mixed-decls"],
});
fs.writeFileSync(path.join(out, "uswds.css"), result.css);

for (const font of FONTS) {
  fs.copyFileSync(
    path.join(uswds, "dist", "fonts", "source-sans-pro", font),
    path.join(out, "fonts", "source-sans-pro", font),
  );
}
// Chart.js draws the reports' charts in the browser; it is served from our own origin (strict CSP).
fs.copyFileSync(path.join(root, "node_modules", "chart.js", "dist", "chart.umd.min.js"), path.join(out, "chart.umd.min.js"));

console.log(`static build: uswds.css ${result.css.length} bytes in ${Date.now() - started} ms -> ${path.relative(root, out)}`);
