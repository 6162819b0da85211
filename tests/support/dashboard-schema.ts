/**
 * A structural validator for CloudWatch dashboard bodies, after AWS's "Dashboard Body Structure and Syntax"
 * (CloudWatch API reference): `widgets[]` of type metric/text/alarm (the ones the component uses), integer
 * `x`/`y`/`width`/`height` on a 24-column grid, metric `properties.metrics` lines of the form
 * `[namespace, name, dimName, dimValue, …, {rendering}]` or `[{ expression, id, … }]`, a `region`, and the
 * alarm widget's `alarms` ARN list. Returns the problems (empty when valid) so tests can show all of them.
 */

/** One metric line as named by a dashboard: namespace, metric name, dimensions, rendering options. */
export interface NamedMetric {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly options: Readonly<Record<string, unknown>>;
}

const WIDGET_TYPES = new Set(["metric", "text", "alarm", "log", "explorer"]);
const RENDERING_KEYS = new Set([
  "color",
  "label",
  "period",
  "stat",
  "visible",
  "yAxis",
  "id",
  "region",
  "accountId",
]);
const BODY_KEYS = new Set(["widgets", "start", "end", "periodOverride", "variables"]);
const ALARM_ARN = /^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.+$/;
const STAT =
  /^(SampleCount|Average|Sum|Minimum|Maximum|p\d{1,2}(\.\d+)?|p100|IQM|tm\d{1,2}|tc\d{1,2}|ts\d{1,2}|wm\d{1,2})$/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

function checkPeriod(period: unknown, where: string, problems: string[]): void {
  if (period === undefined) return;
  if (
    !isInt(period) ||
    !(period === 1 || period === 5 || period === 10 || period === 30 || period % 60 === 0)
  ) {
    problems.push(
      `${where}: period must be 1, 5, 10, 30 or a multiple of 60 (got ${JSON.stringify(period)})`,
    );
  }
}

function checkMetricLine(line: unknown, where: string, problems: string[]): void {
  if (!Array.isArray(line) || line.length === 0) {
    problems.push(`${where}: a metric line must be a non-empty array`);
    return;
  }
  const last = line[line.length - 1];
  const options = isObject(last) ? last : undefined;
  const parts = options === undefined ? line : line.slice(0, -1);
  if (options !== undefined && parts.length === 0) {
    // Expression form: [{ expression, label?, id? }]
    if (typeof options.expression !== "string")
      problems.push(`${where}: an expression line needs "expression"`);
    return;
  }
  if (!parts.every((p) => typeof p === "string" && p !== "")) {
    problems.push(`${where}: namespace, name and dimensions must be non-empty strings`);
    return;
  }
  if (parts.includes("...") || parts.includes(".")) {
    problems.push(`${where}: shorthand "." / "..." is not used by this package (every line is spelled out)`);
    return;
  }
  if (parts.length < 2 || parts.length % 2 !== 0) {
    problems.push(`${where}: must be [namespace, name, dimName, dimValue, …] (got ${parts.length} strings)`);
  }
  if (parts.length > 2 + 2 * 30) problems.push(`${where}: at most 30 dimensions`);
  if (options !== undefined) {
    for (const key of Object.keys(options)) {
      if (!RENDERING_KEYS.has(key)) problems.push(`${where}: unknown rendering property "${key}"`);
    }
    if (options.stat !== undefined && (typeof options.stat !== "string" || !STAT.test(options.stat))) {
      problems.push(`${where}: stat ${JSON.stringify(options.stat)} is not a CloudWatch statistic`);
    }
    if (options.yAxis !== undefined && options.yAxis !== "left" && options.yAxis !== "right") {
      problems.push(`${where}: yAxis must be "left" or "right"`);
    }
    checkPeriod(options.period, where, problems);
  }
}

function checkWidget(widget: unknown, i: number, problems: string[]): void {
  const where = `widgets[${i}]`;
  if (!isObject(widget)) {
    problems.push(`${where}: must be an object`);
    return;
  }
  if (typeof widget.type !== "string" || !WIDGET_TYPES.has(widget.type)) {
    problems.push(
      `${where}: type must be one of ${[...WIDGET_TYPES].join(", ")} (got ${JSON.stringify(widget.type)})`,
    );
  }
  const { x, y, width, height } = widget;
  if (x !== undefined && (!isInt(x) || x < 0 || x > 23)) problems.push(`${where}: x must be an integer 0–23`);
  if (y !== undefined && (!isInt(y) || y < 0)) problems.push(`${where}: y must be an integer ≥ 0`);
  if (width !== undefined && (!isInt(width) || width < 1 || width > 24))
    problems.push(`${where}: width must be 1–24`);
  if (height !== undefined && (!isInt(height) || height < 1 || height > 1000))
    problems.push(`${where}: height must be 1–1000`);
  if (isInt(x) && isInt(width) && x + width > 24) problems.push(`${where}: x + width exceeds the 24 columns`);
  const props = widget.properties;
  if (!isObject(props)) {
    problems.push(`${where}: properties must be an object`);
    return;
  }
  if (widget.type === "text" && typeof props.markdown !== "string")
    problems.push(`${where}: text needs markdown`);
  if (widget.type === "alarm") {
    if (!Array.isArray(props.alarms) || props.alarms.length === 0 || props.alarms.length > 100) {
      problems.push(`${where}: alarms must be an array of 1–100 alarm ARNs`);
    } else {
      props.alarms.forEach((a, j) => {
        if (typeof a !== "string" || !ALARM_ARN.test(a))
          problems.push(`${where}.alarms[${j}]: not an alarm ARN: ${a}`);
      });
    }
    if (
      props.sortBy !== undefined &&
      !["default", "stateUpdatedTimestamp", "timestamp"].includes(String(props.sortBy))
    )
      problems.push(`${where}: sortBy must be default, stateUpdatedTimestamp or timestamp`);
  }
  if (widget.type === "metric") {
    if (typeof props.region !== "string" || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(props.region))
      problems.push(`${where}: a metric widget needs a region`);
    if (!Array.isArray(props.metrics) || props.metrics.length === 0) {
      problems.push(`${where}: a metric widget needs metrics`);
    } else {
      if (props.metrics.length > 500) problems.push(`${where}: at most 500 metrics`);
      props.metrics.forEach((line, j) => {
        checkMetricLine(line, `${where}.metrics[${j}]`, problems);
      });
    }
    if (
      props.view !== undefined &&
      !["timeSeries", "singleValue", "gauge", "bar", "pie", "table"].includes(String(props.view))
    )
      problems.push(`${where}: unknown view ${JSON.stringify(props.view)}`);
    if (props.stacked !== undefined && typeof props.stacked !== "boolean")
      problems.push(`${where}: stacked is a boolean`);
    checkPeriod(props.period, where, problems);
  }
}

/** Problems of a dashboard body (a JSON string), or [] when it is structurally valid. */
export function dashboardBodyProblems(json: string): string[] {
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch {
    return ["body is not JSON"];
  }
  if (!isObject(body)) return ["body must be a JSON object"];
  const problems: string[] = [];
  for (const key of Object.keys(body)) {
    if (!BODY_KEYS.has(key)) problems.push(`unknown top-level property "${key}"`);
  }
  if (!Array.isArray(body.widgets)) return [...problems, "widgets must be an array"];
  if (body.widgets.length > 500) problems.push("at most 500 widgets");
  body.widgets.forEach((w, i) => {
    checkWidget(w, i, problems);
  });
  // Positioned widgets must not overlap.
  const cells = new Map<string, number>();
  const reported = new Set<string>();
  body.widgets.forEach((w, i) => {
    if (!isObject(w) || !isInt(w.x) || !isInt(w.y) || !isInt(w.width) || !isInt(w.height)) return;
    for (let dx = 0; dx < w.width; dx++)
      for (let dy = 0; dy < w.height; dy++) {
        const cell = `${w.x + dx},${w.y + dy}`;
        const other = cells.get(cell);
        if (other !== undefined && other !== i && !reported.has(`${other},${i}`)) {
          reported.add(`${other},${i}`);
          problems.push(`widgets[${i}] overlaps widgets[${other}] at ${cell}`);
        }
        cells.set(cell, i);
      }
  });
  return [...new Set(problems)];
}

/** Every metric line of every metric widget, parsed. */
export function namedMetrics(json: string): NamedMetric[] {
  const body = JSON.parse(json) as { widgets: { type: string; properties: { metrics?: unknown[][] } }[] };
  const out: NamedMetric[] = [];
  for (const widget of body.widgets) {
    if (widget.type !== "metric") continue;
    for (const line of widget.properties.metrics ?? []) {
      const last = line[line.length - 1];
      const options = isObject(last) ? last : {};
      const parts = (isObject(last) ? line.slice(0, -1) : line) as string[];
      if (parts.length === 0) continue; // expression
      const [namespace, name, ...dims] = parts as [string, string, ...string[]];
      const dimensions: Record<string, string> = {};
      for (let i = 0; i < dims.length; i += 2) dimensions[dims[i] as string] = dims[i + 1] as string;
      out.push({ namespace, name, dimensions, options });
    }
  }
  return out;
}
