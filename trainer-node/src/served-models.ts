// The models this node serves for chat: one per model it registered on chain (its own training
// jobs), keyed by model id. The node fills the registry; the chat service reads it.

/** A registered model this node holds the adapter of, and the Datanets it was trained on. */
export type ServedModel = { modelId: bigint; jobId: bigint; baseModel: string; adapterDir: string; datanetIds: bigint[] };

/** The served models by model id (decimal string), as the chat service sees them: read only. */
export type ServedModels = ReadonlyMap<string, ServedModel>;
