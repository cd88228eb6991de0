// Builds the front-end into build/static (served by Django's staticfiles):
// GOV.UK Frontend compiled from Sass with the partnership's own font stack (no GDS
// Transport, which is only licensed for GOV.UK), its JavaScript and images, the favicon,
// and axe-core for the accessibility tests. Run by `make`; nothing here is fetched at run time.
import { compile } from "sass";
import { cpSync, mkdirSync, writeFileSync, copyFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "build", "static");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");

mkdirSync(join(out, "css"), { recursive: true });
mkdirSync(join(out, "js"), { recursive: true });

const result = compile(join(root, "frontend", "main.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "css", "main.css"), result.css);

copyFileSync(join(govuk, "govuk-frontend.min.js"), join(out, "js", "govuk-frontend.min.js"));
cpSync(join(govuk, "assets", "images"), join(out, "govuk", "images"), { recursive: true });
cpSync(join(root, "frontend", "js"), join(out, "js"), { recursive: true });
copyFileSync(join(root, "frontend", "favicon.svg"), join(out, "favicon.svg"));
mkdirSync(join(out, "vendor"), { recursive: true });
copyFileSync(join(root, "node_modules", "axe-core", "axe.min.js"), join(out, "vendor", "axe.min.js"));
console.log("front-end built into build/static");
