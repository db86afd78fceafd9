// Reorg search: checks that the store's cursor is still on the chain and, when it is not,
// rolls the store back to the newest processed block the chain still has (the common
// ancestor), or wipes it when none is left (a restarted dev chain).
import type { Logger } from "../logger.ts";
import type { BlockPtr, EntityStore } from "../store/entity-store.ts";
import type { Rpc } from "./rpc.ts";

/** Blocks compared per batched request while looking for the common ancestor. */
const SEARCH_BATCH = 50;

/** The cursor to continue from: the store's own, the common ancestor after a rollback, or null after a wipe. */
export async function reconcileCursor(store: EntityStore, rpc: Rpc, head: number, log: Logger): Promise<BlockPtr | null> {
  const cursor = store.cursor();
  if (!cursor) return null;
  const onChain = cursor.number <= head ? await rpc.block(cursor.number) : null;
  if (onChain && onChain.hash === cursor.hash) return cursor;
  log("warning", `Block ${cursor.number} (${cursor.hash}) is no longer on the chain: looking for the common ancestor.`);
  // Newest first (store.blocks() order), so the first match is the newest common block.
  const known = store.blocks().filter((b) => b.number <= head);
  for (let i = 0; i < known.length; i += SEARCH_BATCH) {
    const slice = known.slice(i, i + SEARCH_BATCH);
    const chain = await rpc.blocks(slice.map((b) => b.number));
    const match = slice.findIndex((b, j) => chain[j]?.hash === b.hash);
    if (match >= 0) {
      const ancestor = slice[match]!;
      const undone = store.revertTo(ancestor);
      log("warning", `Reorg: rolled back to block ${ancestor.number} (${undone} entity changes undone).`);
      return ancestor;
    }
  }
  log("warning", "No processed block is on the chain any more (rebuilt dev chain?): re-indexing from the start block.");
  store.wipe();
  return null;
}
