/**
 * Finding nodes by tag among siblings or along a path of tags.
 * @packageDocumentation
 */
import type { TlvNode } from './node.js';

function isNodeArray(x: TlvNode | readonly TlvNode[]): x is readonly TlvNode[] {
  return Array.isArray(x);
}

/**
 * The first node with `tag` among `nodes` (an array, e.g. `decodeTlv`'s result) or among the
 * children of a node. Not recursive. `undefined` when absent.
 */
export function findTlv(nodes: TlvNode | readonly TlvNode[], tag: number): TlvNode | undefined {
  const list = isNodeArray(nodes) ? nodes : nodes.children;
  for (let i = 0; i < list.length; i++) {
    const n = list[i]!;
    if (n.tag === tag) return n;
  }
  return undefined;
}

/** Every node with `tag` among `nodes` or among the children of a node, in order. Not recursive. */
export function findAllTlv(nodes: TlvNode | readonly TlvNode[], tag: number): TlvNode[] {
  const list = isNodeArray(nodes) ? nodes : nodes.children;
  const out: TlvNode[] = [];
  for (let i = 0; i < list.length; i++) {
    const n = list[i]!;
    if (n.tag === tag) out.push(n);
  }
  return out;
}

/**
 * Follow a path of tags downwards: the first tag is looked up among `start` (an array) or among
 * the children of `start` (a node), the next among that match's children, and so on.
 * E.g. `findTlvPath(certificate, [0x30, 0xA3])` is a certificate's `[3]` extensions wrapper.
 * `undefined` when any step is missing; an empty path returns `start` itself when it is a node.
 */
export function findTlvPath(
  start: TlvNode | readonly TlvNode[],
  path: readonly number[],
): TlvNode | undefined {
  let current: TlvNode | readonly TlvNode[] = start;
  for (let i = 0; i < path.length; i++) {
    const next = findTlv(current, path[i]!);
    if (next === undefined) return undefined;
    current = next;
  }
  return isNodeArray(current) ? undefined : current;
}
