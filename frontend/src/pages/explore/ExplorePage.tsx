// The attribution explorer's entry: find a model, a contributor or an answer. No wallet needed.
import { useState, type FormEvent } from "react";
import { isAddress } from "viem";
import { useModels } from "../../data/hooks/useModels.ts";
import { Link, navigate } from "../../router/router.tsx";
import { AddressLink, PageHeader } from "../../ui/bits.tsx";
import { formatTime } from "../../ui/format.ts";
import { Empty, QueryView } from "../../ui/states.tsx";
import { useTrainerNodes } from "../../data/hooks/useTrainerNodes.ts";

export default function ExplorePage() {
  const models = useModels();
  const nodes = useTrainerNodes();
  const [q, setQ] = useState("");
  const [error, setError] = useState<string | null>(null);
  const go = (e: FormEvent) => {
    e.preventDefault();
    const v = q.trim();
    const node = nodes.data?.find((n) => n.health?.ok);
    if (/^\d+$/.test(v)) return navigate(`/explore/model/${v}`);
    if (isAddress(v)) return navigate(`/explore/contributor/${v.toLowerCase()}`);
    if (/^0x[0-9a-fA-F]{64}$/.test(v) && node) return navigate(`/explore/answer/0/${v}`);
    setError("Enter a model number, a contributor address (0x + 40 hex) or a receipt id (0x + 64 hex).");
  };
  return (
    <>
      <PageHeader
        title="Attribution explorer"
        subtitle="Follow a model to the contributions and people behind it, a contributor to the answers that cite them, an answer to its on-chain receipt."
      />
      <form className="toolbar" onSubmit={go} role="search">
        <label htmlFor="explore-q" className="sr-only">
          Model, address or receipt
        </label>
        <input
          id="explore-q"
          type="search"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          placeholder="Model number, contributor 0x…, or receipt id 0x…"
        />
        <button className="btn btn-primary" type="submit">
          Explore
        </button>
        {error ? (
          <span className="field-error" role="alert">
            {error}
          </span>
        ) : null}
      </form>
      <h2>Models</h2>
      <QueryView query={models} empty={(m) => (m.length ? null : <Empty title="No models yet." />)}>
        {(list) => (
          <table className="table">
            <thead>
              <tr>
                <th>Model</th>
                <th>Datanets</th>
                <th>Builder</th>
                <th className="num">Receipts</th>
                <th className="num">Citations</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {list.map((m) => (
                <tr key={m.id}>
                  <td>
                    <Link to={`/explore/model/${m.id}`}>Model #{m.id}</Link>
                  </td>
                  <td>
                    {m.datanets.map((d) => (
                      <Link key={d.id} to={`/datanets/${d.id}`}>
                        #{d.id}{" "}
                      </Link>
                    ))}
                  </td>
                  <td>
                    <AddressLink address={m.builder.id} />
                  </td>
                  <td className="num">{m.receiptCount}</td>
                  <td className="num">{m.citationCount}</td>
                  <td>{formatTime(m.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryView>
    </>
  );
}
