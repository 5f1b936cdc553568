/** A Jinja scope whose names resolve to a project's macros on first use. */
import { Scope } from "./evaluate-expression.js";
import { type Callable, Namespace, type Value } from "./jinja-values.js";
import type { MacroLibrary, MacroNode } from "./macro-library.js";

export type LibraryScopeOptions = {
  readonly library: MacroLibrary;
  /** The project's name: `{{ my_project.cents_to_dollars(x) }}` calls the project macro too. */
  readonly namespace?: string | undefined;
  /** Turns a definition into the callable the renderer runs. */
  readonly callable: (node: MacroNode) => Callable;
};

/**
 * Only the macros a template calls become callables, so a project with hundreds of macros costs
 * nothing per model that calls none of them.
 */
export class LibraryScope extends Scope {
  private readonly made = new Map<string, Value>();

  constructor(
    parent: Scope,
    private readonly options: LibraryScopeOptions,
  ) {
    super(parent);
  }

  // Built-ins (ref, source, config, the cross-database macros) win over a project macro of the same name:
  // an override of `ref` calls dbt internals Backflow does not have.
  override get(name: string): Value | undefined {
    const made = this.made.get(name);
    if (made !== undefined) return made;
    const inherited = super.get(name);
    if (inherited !== undefined) return inherited;
    const value = this.resolve(name);
    if (value !== undefined) this.made.set(name, value);
    return value;
  }

  private resolve(name: string): Value | undefined {
    const { library, namespace, callable } = this.options;
    const node = library.lookup(name);
    if (node) return callable(node);
    if (namespace === undefined || name !== namespace || library.size === 0) return undefined;
    const attrs: Record<string, Value> = {};
    for (const macro of library.names()) {
      const found = library.lookup(macro);
      if (found) attrs[macro] = callable(found);
    }
    return new Namespace(namespace, attrs);
  }
}
