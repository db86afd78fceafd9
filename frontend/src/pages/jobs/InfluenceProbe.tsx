// The report's training-influence probe: how often a held-out question, with its reference
// answer, was traced through this model's influence index to the contribution it came from. It
// says how far the "shaped by training on …" lines in Chat can be trusted for this model. Ids and
// numbers only (the report carries no record text).
import { MIN_INFLUENCE_SCORE, type TrainingInfluenceProbe } from "@modelfactory/sdk";

/** One sentence with the probe's result. */
export function probeSummary(probe: TrainingInfluenceProbe): string {
  const first = probe.cases.filter((c) => c.rank === 1).length;
  const top3 = probe.cases.filter((c) => c.rank !== null && c.rank <= 3).length;
  // Chat lists a training influence only from this score up: a first place below it is not shown there.
  const listed = probe.cases.filter((c) => c.rank === 1 && c.score !== null && c.score >= MIN_INFLUENCE_SCORE).length;
  return `${first} of ${probe.questions} held-out question(s) were traced to their own contribution first by training influence (recall@1 ${probe.recallAt1.toFixed(2)}), ${top3} within the top 3, at ${probe.secondsPerAnswer.toFixed(1)} s per answer; ${listed} of those first places score at least the ${MIN_INFLUENCE_SCORE.toFixed(2)} from which Chat lists an influence.`;
}

export function InfluenceProbe({ probe }: { probe: TrainingInfluenceProbe }) {
  return (
    <>
      <p data-testid="probe-summary">{probeSummary(probe)}</p>
      <p className="hint">{probe.method}</p>
      <table className="table" data-testid="probe-table">
        <thead>
          <tr>
            <th>Question's contribution</th>
            <th className="num">Its rank by training influence</th>
            <th className="num">Score (cosine)</th>
          </tr>
        </thead>
        <tbody>
          {probe.cases.map((c, i) => (
            <tr key={i}>
              <td>#{c.contributionId}</td>
              <td className="num">{c.rank === null ? "not ranked" : c.rank}</td>
              <td className="num">{c.score === null ? "–" : c.score.toFixed(2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
