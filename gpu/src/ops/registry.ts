import type { OpDefinition } from './op.ts';

const registry = new Map<string, OpDefinition<unknown>>();

/** Registers `op` under its name, which the tape records and backward looks up. */
export function defineOp<Attrs = undefined>(op: OpDefinition<Attrs>): OpDefinition<Attrs> {
  if (registry.has(op.name)) throw new Error(`op ${op.name} is defined twice`);
  registry.set(op.name, op as OpDefinition<unknown>);
  return op;
}

export function getOp(name: string): OpDefinition<unknown> {
  const op = registry.get(name);
  if (!op) throw new Error(`no op named ${name} is registered`);
  return op;
}

export function registeredOps(): string[] {
  return [...registry.keys()].sort();
}
