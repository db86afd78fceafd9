// A model's LoRA adapter (tar) from its trainer node: open models for anyone; a model trained
// on permissioned data only for a signed-in builder or access holder, so a 401 signs in once
// and retries with the new token.
import { trainerApi } from "../../lib/trainer-api.ts";

export type AdapterSession = { token: string | null; signIn: () => Promise<string> };

export async function fetchAdapter(node: string, modelId: string, session: AdapterSession): Promise<Blob> {
  const url = trainerApi.adapterUrl(node, modelId);
  let res = await fetch(url, session.token ? { headers: { Authorization: `Bearer ${session.token}` } } : {});
  if (res.status === 401) res = await fetch(url, { headers: { Authorization: `Bearer ${await session.signIn()}` } });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(`The trainer node refused the adapter of model #${modelId}: ${body?.error?.message ?? `HTTP ${res.status}`}`);
  }
  return res.blob();
}
