// Names of common data tests across dbt, Great Expectations, OpenLineage assertions, datacontract-cli
// and ODCS library metrics, mapped onto ODCS metric names so the same failure from two tools lands in
// the same finding.
const CHECK_METRICS: ReadonlyArray<readonly [RegExp, string]> = [
  [/not_?null|not_?be_?null|null_?values|required|is_?not_?null|missing/, "nullValues"],
  [/unique|duplicate|distinct_?values_?to_?be_?unique|primary_?key/, "duplicateValues"],
  [/relationship|foreign_?key|referential|to_?exist_?in/, "referentialIntegrity"],
  [
    /accepted_?values|in_?set|invalid|enum|regex|pattern|format|values_?to_?be_?between|valid/,
    "invalidValues",
  ],
  [/row_?count|table_?row|volume|record_?count/, "rowCount"],
  [/fresh|latency|recency|timeliness/, "latency"],
];

/**
 * The ODCS metric a check type measures, or the check type itself when it is not a known one.
 *
 * @example metricOfCheck("not_null") // "nullValues"
 * @example metricOfCheck("expect_column_values_to_be_unique") // "duplicateValues"
 */
export function metricOfCheck(checkType: string): string {
  return knownMetricOfCheck(checkType) ?? checkType;
}

/** The ODCS metric a check type or check name measures, or undefined when it is not recognised. */
export function knownMetricOfCheck(checkType: string): string | undefined {
  const key = checkType.toLowerCase();
  // GX aggregate expectations measure a statistic of the column, not a per-row rule.
  const aggregate = /^expect_column_([a-z_]+?)_to_(?:be|equal|match)/.exec(key)?.[1];
  if (aggregate && !aggregate.startsWith("values") && !aggregate.startsWith("pair")) {
    return aggregate.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  }
  for (const [pattern, metric] of CHECK_METRICS) {
    if (pattern.test(key)) return metric;
  }
  return undefined;
}
