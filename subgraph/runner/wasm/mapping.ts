// One compiled mapping (a data source's .wasm): checks its imports against the host functions
// at load, then runs handlers. graph-node gives every trigger a fresh instance; creating one
// costs more than a typical handler here, so the runner gives every *block* a fresh instance
// (and a new one whenever the never-freeing stub heap passes 4 MiB). Module-level mutable
// state, which graph-ts mappings should not have, could therefore be seen within a block.
import { readFile } from "node:fs/promises";
import { MappingError } from "../errors.ts";
import { AscHeap } from "./asc-heap.ts";
import { hostFunctions, UNSUPPORTED_IMPORTS, type HostState } from "./host.ts";

const MAX_REUSED_MEMORY = 4 * 2 ** 20;

type MappingExports = {
  memory: WebAssembly.Memory;
  __new: (size: number, classId: number) => number;
  id_of_type: (typeId: number) => number;
  _start?: () => void;
  [handler: string]: unknown;
};

export class MappingModule {
  readonly name: string;
  readonly file: string;
  private readonly module: WebAssembly.Module;
  private readonly imports: WebAssembly.Imports;
  private readonly classIds = new Map<number, number>();
  private state: HostState | undefined;
  private current: { block: number; exports: MappingExports; heap: AscHeap } | undefined;

  private constructor(name: string, file: string, module: WebAssembly.Module) {
    this.name = name;
    this.file = file;
    this.module = module;
    const fns = hostFunctions(() => {
      if (!this.state) throw new MappingError("Host function called outside a handler.");
      return this.state;
    });
    const imports: WebAssembly.Imports = {};
    const missing: string[] = [];
    for (const imp of WebAssembly.Module.imports(module)) {
      if (imp.kind !== "function") {
        missing.push(`${imp.module}.${imp.name} (${imp.kind})`);
        continue;
      }
      const fn = fns[imp.name];
      if (!fn) {
        const why = UNSUPPORTED_IMPORTS[imp.name];
        missing.push(why ? `${imp.name} (${why})` : imp.name);
        continue;
      }
      (imports[imp.module] ??= {})[imp.name] = fn;
    }
    if (missing.length > 0) {
      throw new MappingError(`Mapping ${name} (${file}) imports host functions the local runner does not provide: ${missing.join(", ")}.`, {
        code: "MAPPING_IMPORT_MISSING",
        meta: { missing },
      });
    }
    this.imports = imports;
  }

  /** Compiles a mapping and checks that every import it declares is provided. */
  static async load(name: string, file: string, handlers: string[]): Promise<MappingModule> {
    const module = await WebAssembly.compile(await readFile(file));
    const mapping = new MappingModule(name, file, module);
    const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
    for (const required of ["memory", "__new", "id_of_type", ...handlers]) {
      if (!exported.has(required)) {
        throw new MappingError(`Mapping ${name} (${file}) does not export \`${required}\`.`);
      }
    }
    return mapping;
  }

  /**
   * Runs `handler` on a new instance. `build` writes the handler's argument into the
   * instance's memory and returns its pointer; `state` supplies what host functions act on.
   */
  run(handler: string, block: number, state: Omit<HostState, "heap">, build: (heap: AscHeap) => number): void {
    let current = this.current;
    const fresh = !current || current.block !== block || current.exports.memory.buffer.byteLength > MAX_REUSED_MEMORY;
    if (fresh) {
      const instance = new WebAssembly.Instance(this.module, this.imports);
      const exports = instance.exports as unknown as MappingExports;
      current = this.current = { block, exports, heap: new AscHeap(exports, this.classIds) };
    }
    const { exports, heap } = current!;
    this.state = { ...state, heap };
    try {
      if (fresh) exports._start?.();
      const arg = build(heap);
      (exports[handler] as (ptr: number) => void)(arg);
    } catch (e) {
      // A failed handler may leave the instance in any state: never reuse it.
      this.current = undefined;
      if (e instanceof MappingError) throw e;
      throw new MappingError(`Handler ${handler} of ${this.name} failed: ${(e as Error).message}`, { cause: e });
    } finally {
      this.state = undefined;
    }
  }
}
