// Browse and search Datanets by text, domain, tag and owner.
import { useMemo } from "react";
import { filterDatanets } from "../../data/actions/fetch-datanets.ts";
import { useDatanets } from "../../data/hooks/useDatanets.ts";
import type { Datanet } from "../../data/types.ts";
import { Link, useSearchParam } from "../../router/router.tsx";
import { Badge, PageHeader } from "../../ui/bits.tsx";
import { shortHex } from "../../ui/format.ts";
import { Empty, QueryView } from "../../ui/states.tsx";

function DatanetCard({ d }: { d: Datanet }) {
  return (
    <Link to={`/datanets/${d.id}`} className="card" data-testid="datanet-card">
      <div className="row">
        <span className="card-title">{d.metadata?.name ?? `Datanet #${d.id}`}</span>
        <span className="spacer" />
        <Badge tone={d.accessPolicy === "Open" ? "good" : "info"}>{d.accessPolicy}</Badge>
      </div>
      <div className="card-desc">{d.metadata?.description ?? "Metadata unavailable."}</div>
      <div className="meta">
        {d.metadata?.domain ? <span>Domain: {d.metadata.domain}</span> : null}
        <span>{d.license}</span>
        <span>{d.acceptedContributionCount} accepted contributions</span>
        <span>{d.contributorCount} contributors</span>
        <span>{d.citationCount} citations</span>
        <span className="mono">owner {shortHex(d.owner.id)}</span>
      </div>
      {d.metadata?.tags.length ? (
        <div className="row">
          {d.metadata.tags.map((t) => (
            <Badge key={t}>{t}</Badge>
          ))}
        </div>
      ) : null}
    </Link>
  );
}

export default function DatanetsPage() {
  const query = useDatanets();
  const [text, setText] = useSearchParam("q");
  const [domain, setDomain] = useSearchParam("domain");
  const [tag, setTag] = useSearchParam("tag");
  const [owner, setOwner] = useSearchParam("owner");
  const all = query.data ?? [];
  const domains = useMemo(() => [...new Set(all.map((d) => d.metadata?.domain).filter((x): x is string => !!x))].sort(), [all]);
  const tags = useMemo(() => [...new Set(all.flatMap((d) => d.metadata?.tags ?? []))].sort(), [all]);
  const shown = useMemo(() => filterDatanets(all, { text, domain, tag, owner }), [all, text, domain, tag, owner]);
  return (
    <>
      <PageHeader title="Datanets" subtitle="Curated, on-chain datasets that models are fine-tuned on. Every contribution is traceable.">
        <Link to="/datanets/new" className="btn btn-primary">
          Create a Datanet
        </Link>
      </PageHeader>
      <div className="toolbar" role="search">
        <input
          type="search"
          aria-label="Search Datanets"
          placeholder="Search by name, description, tag, owner…"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <select aria-label="Domain" value={domain} onChange={(e) => setDomain(e.target.value)}>
          <option value="">All domains</option>
          {domains.map((d) => (
            <option key={d}>{d}</option>
          ))}
        </select>
        <select aria-label="Tag" value={tag} onChange={(e) => setTag(e.target.value)}>
          <option value="">All tags</option>
          {tags.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
        <input
          aria-label="Owner address"
          placeholder="Owner 0x…"
          value={owner}
          onChange={(e) => setOwner(e.target.value.trim())}
          size={18}
        />
      </div>
      <QueryView
        query={query}
        loading="Loading Datanets…"
        empty={(d) => (d.length === 0 ? <Empty title="No Datanets yet.">Create the first one.</Empty> : null)}
      >
        {() =>
          shown.length === 0 ? (
            <Empty title="No Datanet matches your search." />
          ) : (
            <div className="grid" data-testid="datanet-list">
              {shown.map((d) => (
                <DatanetCard key={d.id} d={d} />
              ))}
            </div>
          )
        }
      </QueryView>
    </>
  );
}
