/** Attribute access, subscripts and the Python methods of strings, lists and dicts that dbt models use. */
import {
  type CallArgs,
  Callable,
  Dict,
  JinjaRuntimeError,
  MAX_VALUE_LENGTH,
  Namespace,
  Opaque,
  toItems,
  toText,
  Undefined,
  type Value,
} from "./jinja-values.js";

/** `obj.name`: dict keys, members of objects and namespaces, bound methods; otherwise Undefined. */
export function getAttribute(obj: Value, name: string): Value {
  // A key holding none is none, not missing.
  if (obj instanceof Dict && obj.map.has(name)) return obj.map.get(name) as Value;
  if (obj instanceof Dict) return dictMethod(obj, name) ?? new Undefined(name);
  if (obj instanceof Namespace) return obj.attrs[name] ?? new Undefined(`${obj.name}.${name}`);
  if (obj instanceof Callable) return obj.attrs[name] ?? new Undefined(`${obj.name}.${name}`);
  if (obj instanceof Opaque) return obj.attrs[name] ?? new Undefined(name);
  if (obj instanceof Undefined) return new Undefined(obj.name ? `${obj.name}.${name}` : name);
  if (typeof obj === "string") return stringMethod(obj, name) ?? new Undefined(name);
  if (Array.isArray(obj)) return listMethod(obj, name) ?? new Undefined(name);
  return new Undefined(name);
}

/** `obj[key]`, with Python's negative indexes. */
export function getItem(obj: Value, key: Value): Value {
  if (obj instanceof Dict) {
    const name = toText(key);
    return obj.map.has(name) ? (obj.map.get(name) as Value) : new Undefined(name);
  }
  if (typeof key === "string") return getAttribute(obj, key);
  if (typeof key !== "number" || !(Array.isArray(obj) || typeof obj === "string")) return new Undefined("");
  const index = key < 0 ? obj.length + key : key;
  const item = obj[Math.trunc(index)];
  return item === undefined ? new Undefined("") : item;
}

/** `obj[start:stop]` for lists and strings. */
export function sliceValue(obj: Value, start: Value, stop: Value): Value {
  const from = typeof start === "number" ? start : undefined;
  const to = typeof stop === "number" ? stop : undefined;
  if (typeof obj === "string") return obj.slice(from, to);
  if (Array.isArray(obj)) return obj.slice(from, to);
  return new Undefined("");
}

function method(name: string, fn: (call: CallArgs) => Value): Callable {
  return new Callable(name, fn);
}

function arg(call: CallArgs, index: number, key: string): Value | undefined {
  return call.args[index] ?? call.kwargs.get(key);
}

function textArg(call: CallArgs, index: number, key: string): string | undefined {
  const value = arg(call, index, key);
  return value === undefined || value === null ? undefined : toText(value);
}

function stringMethod(text: string, name: string): Callable | undefined {
  const strip = (chars: string | undefined, side: "both" | "start" | "end"): string => {
    const set = chars === undefined ? "\\s" : chars.replace(/[\\\]^-]/g, "\\$&");
    let out = text;
    if (side !== "end") out = out.replace(new RegExp(`^[${set}]+`), "");
    if (side !== "start") out = out.replace(new RegExp(`[${set}]+$`), "");
    return out;
  };
  switch (name) {
    case "lower":
      return method(name, () => text.toLowerCase());
    case "upper":
      return method(name, () => text.toUpperCase());
    case "strip":
      return method(name, (c) => strip(textArg(c, 0, "chars"), "both"));
    case "lstrip":
      return method(name, (c) => strip(textArg(c, 0, "chars"), "start"));
    case "rstrip":
      return method(name, (c) => strip(textArg(c, 0, "chars"), "end"));
    case "replace":
      return method(name, (c) => text.split(textArg(c, 0, "old") ?? "").join(textArg(c, 1, "new") ?? ""));
    case "split":
      return method(name, (c) => splitText(text, textArg(c, 0, "sep")));
    case "startswith":
      return method(name, (c) => text.startsWith(textArg(c, 0, "prefix") ?? ""));
    case "endswith":
      return method(name, (c) => text.endsWith(textArg(c, 0, "suffix") ?? ""));
    case "title":
      return method(name, () => text.toLowerCase().replace(/\b[a-z]/g, (m) => m.toUpperCase()));
    case "capitalize":
      return method(name, () => text.charAt(0).toUpperCase() + text.slice(1).toLowerCase());
    case "join":
      return method(name, (c) =>
        toItems(arg(c, 0, "iterable") ?? [])
          .map(toText)
          .join(text),
      );
    case "format":
      return method(name, (c) => formatText(text, c));
    default:
      return undefined;
  }
}

function splitText(text: string, sep: string | undefined): Value {
  if (sep === undefined || sep === "") return text.split(/\s+/).filter((part) => part.length > 0);
  return text.split(sep);
}

/** `"{} and {}".format(a, b)` — positional and named fields only. */
function formatText(text: string, call: CallArgs): string {
  let next = 0;
  return text.replace(/\{([A-Za-z0-9_]*)\}/g, (_, field: string) => {
    if (field === "") return toText(call.args[next++] ?? "");
    if (/^[0-9]+$/.test(field)) return toText(call.args[Number(field)] ?? "");
    return toText(call.kwargs.get(field) ?? "");
  });
}

function listMethod(list: Value[], name: string): Callable | undefined {
  switch (name) {
    case "append":
      return method(name, (c) => {
        if (list.length >= MAX_VALUE_LENGTH) throw new JinjaRuntimeError("the list grew too large");
        list.push(arg(c, 0, "object") ?? null);
        return null;
      });
    case "extend":
      return method(name, (c) => {
        // Copied first: `l.extend(l)` must not iterate the list it grows.
        const source = toItems(arg(c, 0, "iterable") ?? []);
        if (list.length + source.length > MAX_VALUE_LENGTH)
          throw new JinjaRuntimeError("the list grew too large");
        for (const item of [...source]) list.push(item);
        return null;
      });
    case "pop":
      return method(name, () => list.pop() ?? null);
    case "index":
      return method(name, (c) =>
        list.findIndex((item) => toText(item) === toText(arg(c, 0, "value") ?? null)),
      );
    case "count":
      return method(
        name,
        (c) => list.filter((item) => toText(item) === toText(arg(c, 0, "value") ?? null)).length,
      );
    default:
      return undefined;
  }
}

function dictMethod(dict: Dict, name: string): Callable | undefined {
  switch (name) {
    case "get":
      return method(name, (c) => {
        const key = textArg(c, 0, "key") ?? "";
        return dict.map.has(key) ? (dict.map.get(key) as Value) : (arg(c, 1, "default") ?? null);
      });
    case "items":
      return method(name, () => [...dict.map].map(([k, v]) => [k, v]));
    case "keys":
      return method(name, () => [...dict.map.keys()]);
    case "values":
      return method(name, () => [...dict.map.values()]);
    case "update":
      return method(name, (c) => {
        const other = arg(c, 0, "other");
        if (other instanceof Dict) for (const [k, v] of other.map) dict.map.set(k, v);
        for (const [k, v] of c.kwargs) dict.map.set(k, v);
        return null;
      });
    case "pop":
      return method(name, (c) => {
        const key = textArg(c, 0, "key") ?? "";
        const value = dict.map.has(key) ? (dict.map.get(key) as Value) : (arg(c, 1, "default") ?? null);
        dict.map.delete(key);
        return value;
      });
    default:
      return undefined;
  }
}
