// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IAttributionLedger
/// @notice Batches of answer receipts posted by the trainers that serve a model: a Merkle root
/// over the full receipts (stored off chain) plus a packed list of citations, so every citation
/// can be indexed from the event alone.
interface IAttributionLedger {
    /// @notice One receipt: an answer of a model, the contributions it cites through retrieval
    /// and the training contributions that shaped it through fine-tuning.
    /// @param receiptId Unique id chosen by the trainer.
    /// @param modelId The model that answered.
    /// @param answerHash keccak256 of the answer's UTF-8 text.
    /// @param contributionIds Contributions cited through retrieval, in rank order.
    /// @param weights Each retrieval citation's weight in basis points, parallel to contributionIds.
    /// @param trainingContributionIds Training contributions by influence, in rank order.
    /// @param trainingWeights Each one's weight in basis points (a 10,000 budget of its own).
    /// @param detailsHash keccak256 of the canonical receipt document (scores, spans, reasons).
    struct Receipt {
        bytes32 receiptId;
        uint256 modelId;
        bytes32 answerHash;
        uint256[] contributionIds;
        uint16[] weights;
        uint256[] trainingContributionIds;
        uint16[] trainingWeights;
        bytes32 detailsHash;
    }

    /// @notice A receipt without training influences, as ledgers before receipt/3 took it; its
    /// leaf equals that of a {Receipt} with empty training lists.
    /// @param receiptId Unique id chosen by the trainer.
    /// @param modelId The model that answered.
    /// @param answerHash keccak256 of the answer's UTF-8 text.
    /// @param contributionIds Contributions cited through retrieval, in rank order.
    /// @param weights Each citation's weight in basis points, parallel to contributionIds.
    /// @param detailsHash keccak256 of the canonical receipt document.
    struct RetrievalReceipt {
        bytes32 receiptId;
        uint256 modelId;
        bytes32 answerHash;
        uint256[] contributionIds;
        uint16[] weights;
        bytes32 detailsHash;
    }

    /// @notice Thrown when the packed citations are malformed (a group runs past the end) or too long.
    /// @param length Their length in bytes.
    error InvalidCitations(uint256 length);
    /// @notice Thrown when the number of receipt groups differs from the declared receipt count.
    /// @param receiptCount The declared count.
    /// @param groups The groups found in the packed citations.
    error ReceiptCountMismatch(uint32 receiptCount, uint256 groups);
    /// @notice Thrown when a citation names a contribution id that was never registered.
    /// @param contributionId The unknown id.
    error UnknownContribution(uint256 contributionId);
    /// @notice Thrown when one receipt's retrieval citation weights sum past 10,000 basis points.
    /// @param receiptIndex The receipt's group index in the batch.
    /// @param totalWeight Its retrieval list's total weight.
    error ReceiptWeightTooHigh(uint256 receiptIndex, uint256 totalWeight);
    /// @notice Thrown when one receipt's training influence weights sum past 10,000 basis points.
    /// @param receiptIndex The receipt's group index in the batch.
    /// @param totalWeight Its training list's total weight.
    error TrainingWeightTooHigh(uint256 receiptIndex, uint256 totalWeight);
    /// @notice Thrown when a batch has no receipts, no root or no URI.
    error EmptyBatch();
    /// @notice Thrown when a batch id does not exist.
    /// @param batchId The unknown id.
    error BatchNotFound(uint256 batchId);
    /// @notice Thrown when the caller is not an active admitted trainer.
    /// @param caller The caller.
    error NotActiveTrainer(address caller);
    /// @notice Thrown when the model does not exist.
    /// @param modelId The unknown model.
    error UnknownModel(uint256 modelId);
    /// @notice Thrown when the caller neither trained the model nor serves it for its builder.
    /// @param modelId The model.
    /// @param caller The caller.
    error NotModelPoster(uint256 modelId, address caller);
    /// @notice Thrown when someone other than the model's builder manages its serving nodes.
    /// @param modelId The model.
    /// @param caller The caller.
    error NotModelBuilder(uint256 modelId, address caller);
    /// @notice Thrown when authorizing the zero address.
    error ZeroServingNode();
    /// @notice Thrown when authorizing a node that already serves the model.
    /// @param modelId The model.
    /// @param node The node.
    error ServingNodeAlreadyAuthorized(uint256 modelId, address node);
    /// @notice Thrown when revoking a node that does not serve the model.
    /// @param modelId The model.
    /// @param node The node.
    error ServingNodeNotAuthorized(uint256 modelId, address node);
    /// @notice Thrown when a root was already posted.
    /// @param receiptsRoot The root.
    /// @param batchId The batch it was posted as.
    error BatchAlreadyPosted(bytes32 receiptsRoot, uint256 batchId);
    /// @notice Thrown when no batch was posted with this root.
    /// @param receiptsRoot The root.
    error UnknownBatchRoot(bytes32 receiptsRoot);

    /// @notice Emitted when a model's trainer or serving node posts a batch.
    /// @param batchId The new id.
    /// @param modelId The model whose answers these are.
    /// @param trainer The posting trainer.
    /// @param receiptsRoot Merkle root over the batch's receipt leaves.
    /// @param receiptsURI Content-addressed list of the full receipts.
    /// @param receiptCount Number of receipts in the batch.
    /// @param citations One group per receipt, 8-byte words: a header (bytes6 receipt key = the
    /// receipt id's first 6 bytes, uint8 retrieval count, uint8 training count), then its
    /// retrieval citations, then its training ones (each uint48 contribution id, uint16 weight
    /// in basis points).
    event AttributionBatchPosted(
        uint256 indexed batchId,
        uint256 indexed modelId,
        address indexed trainer,
        bytes32 receiptsRoot,
        string receiptsURI,
        uint32 receiptCount,
        bytes citations
    );

    /// @notice Emitted when a model's builder lets a node post attribution batches for it.
    /// @param modelId The model.
    /// @param node The serving node.
    /// @param builder The model's builder.
    event ServingNodeAuthorized(uint256 indexed modelId, address indexed node, address indexed builder);
    /// @notice Emitted when a model's builder withdraws a serving node's right to post.
    /// @param modelId The model.
    /// @param node The serving node.
    /// @param builder The model's builder.
    event ServingNodeRevoked(uint256 indexed modelId, address indexed node, address indexed builder);
}
