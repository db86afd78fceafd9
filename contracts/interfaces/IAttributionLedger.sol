// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IAttributionLedger
/// @notice Batches of answer receipts posted by the trainers that serve a model: a Merkle root
/// over the full receipts (stored off chain) plus a packed list of citations, so every citation
/// can be indexed from the event alone.
interface IAttributionLedger {
    /// @notice One receipt: an answer of a model and the contributions it cites.
    /// @param receiptId Unique id chosen by the trainer.
    /// @param modelId The model that answered.
    /// @param answerHash keccak256 of the answer's UTF-8 text.
    /// @param contributionIds Cited contributions, in rank order.
    /// @param weights Each citation's weight in basis points, parallel to contributionIds.
    /// @param detailsHash keccak256 of the canonical receipt document (scores, spans, reasons).
    struct Receipt {
        bytes32 receiptId;
        uint256 modelId;
        bytes32 answerHash;
        uint256[] contributionIds;
        uint16[] weights;
        bytes32 detailsHash;
    }

    /// @notice Thrown when the packed citation list is malformed or too long.
    /// @param length Its length in bytes.
    error InvalidCitations(uint256 length);
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

    /// @notice Emitted when a trainer posts a batch.
    /// @param batchId The new id.
    /// @param modelId The model whose answers these are.
    /// @param trainer The posting trainer.
    /// @param receiptsRoot Merkle root over the batch's receipt leaves.
    /// @param receiptsURI Content-addressed list of the full receipts.
    /// @param receiptCount Number of receipts in the batch.
    /// @param citations Packed citations, 8 bytes each: contribution id (uint48) then weight (uint16).
    event AttributionBatchPosted(
        uint256 indexed batchId,
        uint256 indexed modelId,
        address indexed trainer,
        bytes32 receiptsRoot,
        string receiptsURI,
        uint32 receiptCount,
        bytes citations
    );
}
