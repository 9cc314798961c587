// Validates a SARIF log (what `hindsight check --format sarif` writes) against the official
// OASIS SARIF 2.1.0 JSON schema, vendored in tests/fixtures/sarif/ (draft-04, so Ajv's
// draft-04 class, with the uri, uri-reference and date-time formats checked). Lists every
// error with the path to the offending value, then exits 1; prints "valid" and exits 0 when
// the log conforms. Also checks one rule of the spec that the schema cannot express: a
// result's ruleIndex must point at a rule of tool.driver.rules whose id is the result's ruleId.
//
//   node validate_sarif.js FILE.sarif
"use strict";
const fs = require("fs");
const path = require("path");
const Ajv04 = require("ajv-draft-04");
const addFormats = require("ajv-formats");

const SCHEMA = path.join(__dirname, "..", "fixtures", "sarif", "sarif-schema-2.1.0.json");

// "/runs/0/results/1/level" -> "runs[0].results[1].level"
function readablePath(pointer) {
  if (!pointer) return "(root)";
  return pointer.slice(1).split("/").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : (i ? "." : "") + (/^[A-Za-z_$][\w$-]*$/.test(p) ? p : JSON.stringify(p))))
    .join("");
}

function valueAt(data, pointer) {
  let v = data;
  for (const p of pointer ? pointer.slice(1).split("/") : []) {
    if (v === null || typeof v !== "object") return undefined;
    v = v[p.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return v;
}

function shown(v) {
  const s = JSON.stringify(v);
  if (s === undefined) return "undefined";
  return s.length > 80 ? s.slice(0, 77) + "..." : s;
}

// Every object of the schema -> its JSON pointer, to name where a failed keyword sits (Ajv's own
// schemaPath restarts at each $ref target, e.g. "#/properties/level/enum").
function schemaPointers(schema) {
  const where = new Map();
  (function walk(node, at) {
    if (node === null || typeof node !== "object") return;
    where.set(node, at);
    for (const [k, v] of Object.entries(node)) walk(v, `${at}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`);
  })(schema, "#");
  return where;
}

function describe(err, data, where) {
  let msg = err.message;
  if (err.keyword === "enum") msg += ": " + err.params.allowedValues.map((v) => JSON.stringify(v)).join(", ");
  if (err.keyword === "additionalProperties") msg += ": " + JSON.stringify(err.params.additionalProperty);
  if (err.keyword !== "required" && err.keyword !== "additionalProperties" && err.keyword !== "anyOf") {
    msg += ` (got ${shown(valueAt(data, err.instancePath))})`;
  }
  const at = where.has(err.parentSchema) ? `${where.get(err.parentSchema)}/${err.keyword}` : err.schemaPath;
  return `${readablePath(err.instancePath)}: ${msg}  [schema ${at}]`;
}

// Rules of the SARIF 2.1.0 spec (§3.27.5, §3.27.6) beyond the schema.
function specErrors(log) {
  const errors = [];
  if (!log || typeof log !== "object") return errors;
  (Array.isArray(log.runs) ? log.runs : []).forEach((run, r) => {
    const rules = (run && run.tool && run.tool.driver && run.tool.driver.rules) || [];
    (Array.isArray(run && run.results) ? run.results : []).forEach((res, i) => {
      if (!res || typeof res !== "object" || res.ruleIndex === undefined || res.ruleIndex === -1) return;
      if (res.rule && res.rule.toolComponent) return; // an index into an extension's rules, not the driver's
      const at = `runs[${r}].results[${i}].ruleIndex`;
      const rule = rules[res.ruleIndex];
      if (!rule) errors.push(`${at}: ${res.ruleIndex} is not an index of runs[${r}].tool.driver.rules (${rules.length} rules)`);
      else if (res.ruleId !== undefined && rule.id !== res.ruleId && !String(res.ruleId).startsWith(rule.id + "/")) {
        errors.push(`${at}: rule ${res.ruleIndex} has id ${JSON.stringify(rule.id)} but ruleId is ${JSON.stringify(res.ruleId)}`);
      }
    });
  });
  return errors;
}

function main() {
  const file = process.argv[2];
  if (!file || process.argv.length > 3) {
    process.stderr.write("usage: node validate_sarif.js FILE.sarif\n");
    process.exit(2);
  }
  let log;
  try {
    log = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    process.stdout.write(`invalid: ${file}: ${e.message}\n`);
    process.exit(1);
  }
  // strict: the schema itself is checked too (unknown keywords or formats fail); strictRequired
  // is off because the schema's anyOf [{required: [x]}] branches name properties declared beside them.
  const ajv = new Ajv04({ allErrors: true, strict: true, strictRequired: false, validateFormats: true, verbose: true });
  addFormats(ajv, ["uri", "uri-reference", "date-time"]);
  const schema = JSON.parse(fs.readFileSync(SCHEMA, "utf8"));
  const validate = ajv.compile(schema);
  const errors = [];
  if (!validate(log)) {
    const where = schemaPointers(schema);
    errors.push(...validate.errors.map((e) => describe(e, log, where)));
  }
  errors.push(...specErrors(log));
  if (errors.length) {
    process.stdout.write(`invalid: ${file}: ${errors.length} error(s)\n` + errors.map((e) => "  " + e + "\n").join(""));
    process.exit(1);
  }
  process.stdout.write("valid\n");
}

main();
