// Wizard step 2: the Datanets to train on; only those the builder may train on can be chosen.
import type { Datanet } from "../../data/types.ts";
import { Link } from "../../router/router.tsx";
import { Badge } from "../../ui/bits.tsx";
import { Loading } from "../../ui/states.tsx";

export function DatanetsStep({
  datanets,
  access,
  loading,
  selected,
  onChange,
}: {
  datanets: Datanet[];
  access: Record<string, boolean> | undefined;
  loading: boolean;
  selected: string[];
  onChange: (ids: string[]) => void;
}) {
  if (loading) return <Loading label="Checking your train access on chain…" />;
  return (
    <fieldset>
      <legend className="sr-only">Datanets</legend>
      {datanets.map((d) => {
        const ok = access?.[d.id] === true;
        return (
          <label key={d.id} className={`option${ok ? "" : " disabled"}`}>
            <input
              type="checkbox"
              disabled={!ok}
              checked={selected.includes(d.id)}
              onChange={(e) => onChange(e.target.checked ? [...selected, d.id] : selected.filter((x) => x !== d.id))}
            />
            <div>
              <strong>{d.metadata?.name ?? `Datanet #${d.id}`}</strong> <span className="hint">#{d.id}</span>
              <div className="meta">
                <span>{d.acceptedContributionCount} accepted contributions</span>
                <span>{d.license}</span>
                {ok ? (
                  <Badge tone="good">you may train</Badge>
                ) : (
                  <Badge>
                    no train access — <Link to={`/datanets/${d.id}`}>request it</Link>
                  </Badge>
                )}
              </div>
            </div>
          </label>
        );
      })}
    </fieldset>
  );
}
