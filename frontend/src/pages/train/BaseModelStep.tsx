// Wizard step 1: a base model offered by a live trainer node.
import type { BaseModelInfo } from "@modelfactory/sdk";
import type { TrainerNodeStatus } from "../../data/actions/fetch-trainer-nodes.ts";
import { formatBytes, formatNumber } from "../../ui/format.ts";
import { Empty, ErrorState, Loading, type QueryLike } from "../../ui/states.tsx";

export type ModelChoice = { node: string; model: BaseModelInfo };

export function BaseModelStep({
  nodes,
  choice,
  onChoose,
}: {
  nodes: QueryLike<TrainerNodeStatus[]>;
  choice: ModelChoice | null;
  onChoose: (c: ModelChoice) => void;
}) {
  if (nodes.isPending) return <Loading label="Asking trainer nodes for their base models…" />;
  if (nodes.error) return <ErrorState error={nodes.error} retry={() => void nodes.refetch()} />;
  const live = (nodes.data ?? []).filter((n) => n.health?.ok);
  if (live.length === 0) {
    return (
      <Empty title="No trainer node is reachable.">
        {(nodes.data ?? []).map((n) => (
          <div key={n.url} className="hint">
            {n.url}: {n.error}
          </div>
        ))}
        Start one with the local stack (<code>npm run dev</code>).
      </Empty>
    );
  }
  return (
    <fieldset>
      <legend className="sr-only">Base model</legend>
      {live.flatMap((n) =>
        n.health!.baseModels.map((m) => (
          <label key={`${n.url}-${m.id}`} className="option">
            <input
              type="radio"
              name="base"
              checked={choice?.model.id === m.id && choice.node === n.url}
              onChange={() => onChoose({ node: n.url, model: m })}
            />
            <div>
              <strong>{m.name}</strong> <span className="mono">{m.id}</span>
              <div className="meta">
                <span>{m.architecture}</span>
                <span>{formatNumber(m.parameters)} parameters</span>
                <span>{formatBytes(m.sizeBytes)} on disk</span>
                <span>context {m.contextLength}</span>
                <span>methods: {m.methods.join(", ") || "none"}</span>
                <span>
                  {(n.health!.device ?? "unknown device").toUpperCase()} node {new URL(n.url).host}
                </span>
                {!m.hasChatTemplate ? <span>default chat template</span> : null}
              </div>
            </div>
          </label>
        )),
      )}
    </fieldset>
  );
}
