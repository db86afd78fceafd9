// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IAttributionLedger} from "../interfaces/IAttributionLedger.sol";
import {ITrainerRegistry} from "../interfaces/ITrainerRegistry.sol";
import {ITrainingJobs} from "../interfaces/ITrainingJobs.sol";
import {ReceiptLeaf} from "../libraries/ReceiptLeaf.sol";

/// @title AttributionLedger
/// @notice Stores one root per batch of answer receipts and emits the batch's citations packed,
/// 8 bytes each, so the per-citation cost is calldata and log data only (no loop, no storage).
contract AttributionLedger is IAttributionLedger {
    /// @notice Bytes per packed citation: uint48 contribution id, uint16 weight.
    uint256 public constant CITATION_SIZE = 8;
    /// @notice Largest number of citations per batch.
    uint256 public constant MAX_CITATIONS = 4096;

    /// @dev One slot per batch: the root. The model is checked against the receipt itself.
    mapping(uint256 batchId => bytes32) private _roots;
    uint256 private _batchCount;

    ITrainerRegistry public immutable trainers;
    ITrainingJobs public immutable jobs;

    constructor(ITrainerRegistry trainerRegistry, ITrainingJobs trainingJobs) {
        trainers = trainerRegistry;
        jobs = trainingJobs;
    }

    /// @notice Posts a batch of receipts for a model. Active trainers only.
    /// @param modelId The model whose answers the receipts record.
    /// @param receiptsRoot Merkle root over the receipt leaves (see {ReceiptLeaf}).
    /// @param receiptsURI Content-addressed document holding the full receipts.
    /// @param receiptCount Number of receipts.
    /// @param citations Packed (uint48 contribution id, uint16 weight) pairs of all receipts.
    function postBatch(
        uint256 modelId,
        bytes32 receiptsRoot,
        string calldata receiptsURI,
        uint32 receiptCount,
        bytes calldata citations
    ) external returns (uint256 batchId) {
        if (!trainers.isActiveTrainer(msg.sender)) revert NotActiveTrainer(msg.sender);
        if (!jobs.modelExists(modelId)) revert UnknownModel(modelId);
        if (receiptCount == 0 || receiptsRoot == bytes32(0) || bytes(receiptsURI).length == 0) revert EmptyBatch();
        uint256 len = citations.length;
        if (len % CITATION_SIZE != 0 || len > MAX_CITATIONS * CITATION_SIZE) revert InvalidCitations(len);
        batchId = ++_batchCount;
        _roots[batchId] = receiptsRoot;
        emit AttributionBatchPosted(batchId, modelId, msg.sender, receiptsRoot, receiptsURI, receiptCount, citations);
    }

    /// @notice The root of a batch.
    function batchRoot(uint256 batchId) public view returns (bytes32 root) {
        root = _roots[batchId];
        if (root == bytes32(0)) revert BatchNotFound(batchId);
    }

    /// @notice Number of batches posted; ids run from 1 to this number.
    function batchCount() external view returns (uint256) {
        return _batchCount;
    }

    /// @notice Whether `receipt` is in batch `batchId`, given its Merkle proof.
    function verifyReceipt(uint256 batchId, Receipt calldata receipt, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        return MerkleProof.verifyCalldata(proof, batchRoot(batchId), ReceiptLeaf.hash(receipt));
    }

    /// @notice The leaf of a receipt, for off-chain tools that want the contract's own answer.
    function receiptLeaf(Receipt calldata receipt) external pure returns (bytes32) {
        return ReceiptLeaf.hash(receipt);
    }
}
