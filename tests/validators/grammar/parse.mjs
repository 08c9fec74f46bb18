// Parses PromQL, LogQL and TraceQL with the official Lezer grammars (the ones Prometheus' and Grafana's
// query editors use). Reads [{"lang", "expr"}] as JSON on stdin and writes [{"ok", "error"}] to stdout,
// where "error" names the position and text of the first error node (⚠) and is null when ok.
import { parser as promql } from "@prometheus-io/lezer-promql";
import { parser as logql } from "@grafana/lezer-logql";
import { parser as traceql } from "@grafana/lezer-traceql";

const PARSERS = { promql, logql, traceql };
const CONTEXT = 20; // characters of the expression shown on each side of the error

function firstError(parser, expr) {
  if (!expr.trim()) return "empty expression";
  let error = null;
  parser.parse(expr).iterate({
    enter(node) {
      if (error) return false;
      if (node.type.isError) {
        error = { from: node.from, to: node.to };
        return false;
      }
    },
  });
  if (!error) return null;
  const before = expr.slice(Math.max(0, error.from - CONTEXT), error.from);
  const at = expr.slice(error.from, Math.max(error.to, error.from + CONTEXT));
  // Lezer marks a missing token with an empty error node, so "at" may be what follows it.
  return `syntax error at offset ${error.from}: ${JSON.stringify(`${before}⚠${at}`)}`;
}

function main(input) {
  const items = JSON.parse(input);
  const results = items.map(({ lang, expr }) => {
    const parser = PARSERS[lang];
    if (!parser) throw new Error(`unknown query language ${JSON.stringify(lang)}`);
    const error = firstError(parser, expr);
    return { ok: error === null, error };
  });
  process.stdout.write(JSON.stringify(results));
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => main(input));
