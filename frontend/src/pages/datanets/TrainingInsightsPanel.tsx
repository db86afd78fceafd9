// For a Datanet's approvers: how this Datanet's contributions trained in every model built on it
// (each model's data insights, kept to this Datanet), so a contribution that keeps training worst
// can be reviewed again.
import type { ModelInsights } from "../../data/actions/fetch-datanet-insights.ts";
import { useDatanetInsights } from "../../data/hooks/useDatanetInsights.ts";
import { Link } from "../../router/router.tsx";
import { Empty, QueryView } from "../../ui/states.tsx";
import { DataInsightsTable } from "../jobs/DataInsights.tsx";

export function TrainingInsightsList({ models, datanetId }: { models: ModelInsights[]; datanetId: string }) {
  if (models.length === 0) return <Empty title="No model has been trained on this Datanet yet." />;
  return (
    <>
      {models.map((m) => (
        <section className="panel" key={m.modelId} data-testid={`insights-model-${m.modelId}`}>
          <h2>
            Model #{m.modelId}{" "}
            <span className="hint">
              · <Link to={`/jobs/${m.jobId}/report`}>job #{m.jobId} report</Link>
            </span>
          </h2>
          {m.error ? (
            <p className="field-error">Its evaluation report could not be read: {m.error}</p>
          ) : !m.insights ? (
            <p className="hint">Its report predates per-contribution data insights.</p>
          ) : m.insights.contributions.length === 0 ? (
            <p className="hint">None of this Datanet's contributions is in its insights.</p>
          ) : (
            <DataInsightsTable insights={m.insights} datanetId={datanetId} />
          )}
        </section>
      ))}
    </>
  );
}

export function TrainingInsightsPanel({ datanetId }: { datanetId: string }) {
  const query = useDatanetInsights(datanetId, true);
  return (
    <QueryView query={query} loading="Reading the evaluation reports of this Datanet's models…">
      {(models) => <TrainingInsightsList models={models} datanetId={datanetId} />}
    </QueryView>
  );
}
