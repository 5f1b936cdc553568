import { describe, expect, it } from "vitest";
import { MAX_RENDER_STEPS } from "../../../../src/core/sql/dbt/jinja-renderer.js";
import { renderJinja } from "../../../../src/core/sql/dbt/render-jinja.js";
import { dbtContext } from "./dbt-context.js";

const render = (text: string) => renderJinja(text, dbtContext());
const stopped = (text: string) =>
  render(text).diagnostics.filter((d) => d.severity === "error" && d.message.startsWith("rendering stopped"));

describe("the render budget counts all work", () => {
  it("stops three nested loops over range(100000) with empty bodies, with a diagnostic at the loop's line", () => {
    const template = [
      "select 1 as a",
      "{% for i in range(100000) %}{% for j in range(100000) %}{% for k in range(100000) %}",
      "{% endfor %}{% endfor %}{% endfor %}",
    ].join("\n");

    const result = render(template);

    expect(result.sql).toContain("select 1 as a");
    expect(stopped(template)).toEqual([
      {
        line: 2,
        severity: "error",
        message: `rendering stopped after ${MAX_RENDER_STEPS} steps at line 2 (a loop, range() or macro does too much work); the SQL after this point is missing`,
      },
    ]);
  });

  it("charges range() its length before building it: range(1000000000) stops with a diagnostic, not at 10,000 items", () => {
    const template = "select {{ range(1000000000) | length }} as n";

    expect(render(template).sql).not.toContain("10000");
    expect(stopped(template)).toHaveLength(1);
    expect(stopped(template)[0]?.message).toContain("rendering stopped after");
  });

  it("renders a range longer than the old 10,000-item cap in full when the budget allows", () => {
    expect(render("{{ range(50000) | length }}").sql).toBe("50000");
    expect(render("{{ range(10, 0, -3) | join(',') }}").sql).toBe("10,7,4,1");
  });

  it("counts empty loop iterations: two nested empty loops of 2,000 items exceed the budget", () => {
    const template = "{% for i in range(2000) %}{% for j in range(2000) %}{% endfor %}{% endfor %}";

    expect(stopped(template)).toHaveLength(1);
  });

  it("counts string growth: doubling a string in a loop stops on the budget or the value limit, never runs away", () => {
    const template =
      "{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}";

    const result = render(template);

    expect(result.diagnostics.some((d) => /rendering stopped|too large/.test(d.message))).toBe(true);
  });

  it("counts recursion through macros", () => {
    const template = [
      "{% macro fan(n) %}{% if n > 0 %}{{ fan(n - 1) }}{{ fan(n - 1) }}{% endif %}{% endmacro %}",
      "{{ fan(30) }}",
    ].join("\n");

    expect(stopped(template)).toHaveLength(1);
  });

  it("leaves ordinary templates alone", () => {
    const result = render("{% for c in ['a', 'b'] %}{{ c }}{% if not loop.last %}, {% endif %}{% endfor %}");

    expect(result.sql).toBe("a, b");
    expect(result.diagnostics).toEqual([]);
  });
});
