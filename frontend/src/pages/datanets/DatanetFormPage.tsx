// Create a Datanet, or edit one's metadata and policies: metadata → content store → transaction.
import { useState } from "react";
import { parseEventLogs } from "viem";
import { datanetRegistryAbi } from "@modelfactory/sdk";
import { useAppConfig } from "../../config/context.tsx";
import { EMPTY_DATANET_FORM, metadataFromForm, type DatanetForm as Form } from "../../data/datanet-metadata.ts";
import { useDatanet } from "../../data/hooks/useDatanet.ts";
import { addJson } from "../../lib/content-api.ts";
import { errorSentence } from "../../lib/error-sentence.ts";
import { navigate, useParams } from "../../router/router.tsx";
import { PageHeader } from "../../ui/bits.tsx";
import { Loading, ErrorState } from "../../ui/states.tsx";
import { useToasts } from "../../ui/toasts.tsx";
import { useCreateDatanet } from "../../data/hooks/useCreateDatanet.ts";
import { useSetDatanetPolicies } from "../../data/hooks/useSetDatanetPolicies.ts";
import { useUpdateDatanetMetadata } from "../../data/hooks/useUpdateDatanetMetadata.ts";
import { alreadyToasted } from "../../data/mutations/protocol-write-mutation.ts";
import { WalletGate } from "../../wallet/WalletGate.tsx";
import { DatanetForm } from "./DatanetForm.tsx";

export default function DatanetFormPage() {
  const { id } = useParams();
  const editing = id !== undefined;
  const existing = useDatanet(id ?? "");
  const config = useAppConfig();
  const createDatanet = useCreateDatanet();
  const updateMetadata = useUpdateDatanetMetadata();
  const setPolicies = useSetDatanetPolicies();
  const toasts = useToasts();
  const [busy, setBusy] = useState(false);

  const submit = async (form: Form) => {
    setBusy(true);
    try {
      const { uri } = await addJson(config.contentApiUrl, metadataFromForm(form), "datanet.json");
      if (!editing) {
        const receipt = await createDatanet.mutateAsync({
          metadataURI: uri,
          license: form.license,
          accessPolicy: form.accessPolicy,
          contributionPolicy: form.contributionPolicy,
        });
        const [created] = parseEventLogs({ abi: datanetRegistryAbi, logs: receipt.logs, eventName: "DatanetCreated" });
        navigate(`/datanets/${created?.args.datanetId ?? ""}`);
      } else {
        await updateMetadata.mutateAsync({ datanetId: id, metadataURI: uri, license: form.license });
        const d = existing.data;
        if (d && (d.accessPolicy !== form.accessPolicy || d.contributionPolicy !== form.contributionPolicy)) {
          await setPolicies.mutateAsync({ datanetId: id, accessPolicy: form.accessPolicy, contributionPolicy: form.contributionPolicy });
        }
        navigate(`/datanets/${id}`);
      }
    } catch (error) {
      if (!alreadyToasted(error)) toasts.show({ kind: "error", title: "Could not save the Datanet", body: errorSentence(error) });
    } finally {
      setBusy(false);
    }
  };

  let initial: Form = EMPTY_DATANET_FORM;
  if (editing) {
    if (existing.isPending) return <Loading />;
    if (existing.error || !existing.data) return <ErrorState error={existing.error ?? new Error(`Datanet #${id} is not indexed.`)} />;
    const d = existing.data;
    initial = {
      name: d.metadata?.name ?? "",
      description: d.metadata?.description ?? "",
      domain: d.metadata?.domain ?? "",
      tags: d.metadata?.tags.join(", ") ?? "",
      license: d.license,
      recordKinds: d.metadata?.recordKinds ?? ["instruction", "chat", "text"],
      accessPolicy: d.accessPolicy,
      contributionPolicy: d.contributionPolicy,
    };
  }
  return (
    <>
      <PageHeader
        title={editing ? `Edit Datanet #${id}` : "Create a Datanet"}
        subtitle="The metadata document is stored in the content store; its address and the license go on chain."
      />
      <WalletGate reason={editing ? "to edit this Datanet" : "to create a Datanet"}>
        <DatanetForm
          initial={initial}
          submitLabel={editing ? "Save changes" : "Create Datanet"}
          onSubmit={(f) => void submit(f)}
          busy={busy}
        />
      </WalletGate>
    </>
  );
}
