// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IAttributionLedger} from "../interfaces/IAttributionLedger.sol";
import {IContributions} from "../interfaces/IContributions.sol";
import {ITrainerRegistry} from "../interfaces/ITrainerRegistry.sol";
import {ITrainingJobs} from "../interfaces/ITrainingJobs.sol";
import {ReceiptLeaf} from "../libraries/ReceiptLeaf.sol";

/// @title AttributionLedger
/// @notice Stores one root per batch of answer receipts and emits the batch's citations packed,
/// one group per receipt, so the index reads every citation, its receipt and its list (retrieval
/// or training) from the event.
/// A batch for a model is posted by that model's trainer or by a serving node its builder
/// authorized (both active admitted trainers); a root is posted once.
/// The packed bytes are checked in one pass over calldata (no storage per citation): well
/// formed, one group per receipt, every cited contribution registered, and each of a receipt's
/// two lists summing to at most 10,000 basis points on its own (which bounds each weight too).
///
/// Packed layout, big-endian, 8-byte words:
/// - group header: bytes6 receipt key (the first 6 bytes of the receipt id), uint8 retrieval
///   citation count, uint8 training citation count;
/// - then the retrieval citations, then the training ones, each a uint48 contribution id and a
///   uint16 weight in basis points.
contract AttributionLedger is IAttributionLedger {
    /// @notice Bytes per packed word (group header or citation).
    uint256 public constant CITATION_SIZE = 8;
    /// @notice Largest number of citations per batch.
    uint256 public constant MAX_CITATIONS = 4096;
    /// @notice Largest packed length: every citation plus one header per receipt, at most
    /// {MAX_CITATIONS} receipts' worth.
    uint256 public constant MAX_PACKED_SIZE = 2 * MAX_CITATIONS * CITATION_SIZE;
    /// @notice Largest total weight of each of one receipt's two lists, in basis points.
    uint256 public constant MAX_RECEIPT_WEIGHT = 10_000;
    /// @dev The weight field (low 16 bits) of each of a 32-byte load's four packed words.
    uint256 private constant WEIGHTS = 0x000000000000ffff000000000000ffff000000000000ffff000000000000ffff;
    /// @dev 1 + 2^64 + 2^128 + 2^192: multiplying by it sums the four 64-bit lanes into the top one.
    uint256 private constant LANES = 0x0000000000000001000000000000000100000000000000010000000000000001;

    /// @dev A posted batch, keyed by its root: one slot, so a root is posted once and a
    /// receipt's model is checked against the batch's.
    struct Batch {
        uint64 batchId;
        uint64 modelId;
    }

    /// @dev One slot read and written by every post: the batch counter, and the contribution
    /// count last read from the registry. Contributions are never deleted, so a cached count
    /// below the real one only refuses nothing that exists: a batch citing a newer id re-reads
    /// the registry (one external call, ~5k gas) and refreshes the cache.
    struct Counters {
        uint64 batchCount;
        uint64 knownContributions;
    }

    mapping(bytes32 root => Batch) private _batches;
    mapping(uint256 modelId => mapping(address node => bool)) private _servingNodes;
    /// @dev A model's trainer, read from TrainingJobs at the model's first batch. A model is a
    /// completed job's output and its trainer never changes, so the copy stays true; reading it
    /// here (one cold slot) instead of calling TrainingJobs saves ~2.9k gas on every later batch.
    mapping(uint256 modelId => address trainer) private _modelTrainers;
    Counters private _counters;

    ITrainerRegistry public immutable trainers;
    ITrainingJobs public immutable jobs;
    IContributions public immutable contributions;

    constructor(ITrainerRegistry trainerRegistry, ITrainingJobs trainingJobs, IContributions datanetRegistry) {
        trainers = trainerRegistry;
        jobs = trainingJobs;
        contributions = datanetRegistry;
    }

    /// @notice Posts a batch of receipts for a model. The caller must be an active admitted
    /// trainer and either the model's own trainer or a serving node its builder authorized.
    /// @param modelId The model whose answers the receipts record.
    /// @param receiptsRoot Merkle root over the receipt leaves (see {ReceiptLeaf}); posted once.
    /// @param receiptsURI Content-addressed document holding the full receipts.
    /// @param receiptCount Number of receipts, which must equal the number of groups in `citations`.
    /// @param citations One group per receipt, in the layout described above.
    function postBatch(
        uint256 modelId,
        bytes32 receiptsRoot,
        string calldata receiptsURI,
        uint32 receiptCount,
        bytes calldata citations
    ) external returns (uint256 batchId) {
        if (!trainers.isActiveTrainer(msg.sender)) revert NotActiveTrainer(msg.sender);
        address trainer = _modelTrainers[modelId];
        if (trainer == address(0)) {
            trainer = jobs.modelTrainer(modelId);
            if (trainer == address(0)) revert UnknownModel(modelId);
            _modelTrainers[modelId] = trainer;
        }
        if (trainer != msg.sender && !_servingNodes[modelId][msg.sender]) revert NotModelPoster(modelId, msg.sender);
        if (receiptCount == 0 || receiptsRoot == bytes32(0) || bytes(receiptsURI).length == 0) revert EmptyBatch();
        if (citations.length > MAX_PACKED_SIZE) revert InvalidCitations(citations.length);
        Counters memory c = _counters;
        (uint256 groups, bool unknown) = _checkCitations(citations, c.knownContributions);
        if (groups != receiptCount) revert ReceiptCountMismatch(receiptCount, groups);
        if (unknown) {
            uint256 count = contributions.contributionCount();
            uint256 id = _firstUnknown(citations, count);
            if (id != type(uint256).max) revert UnknownContribution(id);
            c.knownContributions = uint64(count);
        }
        Batch storage b = _batches[receiptsRoot];
        if (b.batchId != 0) revert BatchAlreadyPosted(receiptsRoot, b.batchId);
        batchId = ++c.batchCount;
        _counters = c;
        b.batchId = uint64(batchId);
        b.modelId = uint64(modelId);
        emit AttributionBatchPosted(batchId, modelId, msg.sender, receiptsRoot, receiptsURI, receiptCount, citations);
    }

    /// @notice Lets `node` post attribution batches for one of the caller's models. Builder only.
    function authorizeServingNode(uint256 modelId, address node) external {
        _checkModelBuilder(modelId);
        if (node == address(0)) revert ZeroServingNode();
        if (_servingNodes[modelId][node]) revert ServingNodeAlreadyAuthorized(modelId, node);
        _servingNodes[modelId][node] = true;
        emit ServingNodeAuthorized(modelId, node, msg.sender);
    }

    /// @notice Withdraws a serving node's right to post for one of the caller's models. Builder
    /// only. Batches it already posted stay.
    function revokeServingNode(uint256 modelId, address node) external {
        _checkModelBuilder(modelId);
        if (!_servingNodes[modelId][node]) revert ServingNodeNotAuthorized(modelId, node);
        _servingNodes[modelId][node] = false;
        emit ServingNodeRevoked(modelId, node, msg.sender);
    }

    /// @notice Whether `node` may post for `modelId` as a serving node its builder authorized
    /// (the model's own trainer may always post while it is an active trainer).
    function isServingNode(uint256 modelId, address node) external view returns (bool) {
        return _servingNodes[modelId][node];
    }

    /// @notice The batch a root was posted as, and its model.
    function batchOf(bytes32 receiptsRoot) external view returns (uint256 batchId, uint256 modelId) {
        Batch memory b = _batches[receiptsRoot];
        if (b.batchId == 0) revert UnknownBatchRoot(receiptsRoot);
        return (b.batchId, b.modelId);
    }

    /// @notice Number of batches posted; ids run from 1 to this number.
    function batchCount() external view returns (uint256) {
        return _counters.batchCount;
    }

    /// @notice Whether `receipt` is in batch `batchId`, given its Merkle proof: the proof must lead
    /// to the root posted as that batch, and the receipt's model must be the batch's model.
    function verifyReceipt(uint256 batchId, Receipt calldata receipt, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        if (batchId == 0 || batchId > _counters.batchCount) revert BatchNotFound(batchId);
        Batch memory b = _batches[MerkleProof.processProofCalldata(proof, ReceiptLeaf.hash(receipt))];
        return b.batchId == batchId && b.modelId == receipt.modelId;
    }

    /// @notice {verifyReceipt} for a receipt without training influences, with the signature
    /// ledgers before receipt/3 have: a verifier calls this one for such receipts and gets its
    /// answer from an older ledger and from this one alike.
    function verifyReceipt(uint256 batchId, RetrievalReceipt calldata receipt, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        if (batchId == 0 || batchId > _counters.batchCount) revert BatchNotFound(batchId);
        Batch memory b = _batches[MerkleProof.processProofCalldata(proof, ReceiptLeaf.hash(receipt))];
        return b.batchId == batchId && b.modelId == receipt.modelId;
    }

    /// @notice The leaf of a receipt, for off-chain tools that want the contract's own answer.
    function receiptLeaf(Receipt calldata receipt) external pure returns (bytes32) {
        return ReceiptLeaf.hash(receipt);
    }

    /// @dev Reverts unless the caller is the model's builder.
    function _checkModelBuilder(uint256 modelId) private view {
        address builder = jobs.modelBuilder(modelId);
        if (builder == address(0)) revert UnknownModel(modelId);
        if (builder != msg.sender) revert NotModelBuilder(modelId, msg.sender);
    }

    /// @dev Walks the packed groups once and returns how many there are, and whether an id lies
    /// outside 1..`contributionCount` (ids are sequential, so that is exactly the registered set
    /// when the count is current). Reverts with {InvalidCitations} when a group runs past the
    /// end, {ReceiptWeightTooHigh} when a receipt's retrieval weights sum past
    /// {MAX_RECEIPT_WEIGHT} and {TrainingWeightTooHigh} when its training weights do. A group's
    /// two lists are one run of words walked once (assembly, four citations per 32-byte load, a
    /// branch-free id check, a load's weights summed by one multiplication); each load's training
    /// lanes are summed again under a mask, and the retrieval total is the difference (two separate
    /// runs measured 1,058 gas per citation at 100 in a batch, against 984). Nothing overflows:
    /// offsets are bounded by the calldata size, a list's total by 255 citations of at most
    /// 65,535 each.
    function _checkCitations(bytes calldata packed, uint256 contributionCount)
        private
        pure
        returns (uint256 groups, bool unknown)
    {
        assembly ("memory-safe") {
            let p := packed.offset
            let end := add(p, packed.length)
            let mask := 0xffffffffffff
            for {} lt(p, end) {} {
                let header := calldataload(p)
                p := add(p, 8)
                // A group's two lists are one run of words; the training list starts at ts.
                let ts := add(p, shl(3, and(shr(200, header), 0xff)))
                let groupEnd := add(ts, shl(3, and(shr(192, header), 0xff)))
                if gt(groupEnd, end) {
                    mstore(0, 0x878faafc00000000000000000000000000000000000000000000000000000000) // InvalidCitations(uint256)
                    mstore(4, packed.length)
                    revert(0, 0x24)
                }
                let total := 0
                let training := 0
                // id - 1 wraps for id 0, so one comparison refuses 0 and ids past the count.
                for {} iszero(gt(add(p, 32), groupEnd)) { p := add(p, 32) } {
                    let w := calldataload(p)
                    unknown := or(
                        or(
                            iszero(lt(sub(shr(208, w), 1), contributionCount)),
                            iszero(lt(sub(and(shr(144, w), mask), 1), contributionCount))
                        ),
                        or(
                            or(unknown, iszero(lt(sub(and(shr(80, w), mask), 1), contributionCount))),
                            iszero(lt(sub(and(shr(16, w), mask), 1), contributionCount))
                        )
                    )
                    // The four weights (each lane's low 16 bits) summed by one multiplication:
                    // the top lane of x·(1 + 2^64 + 2^128 + 2^192) is the sum of x's four lanes
                    // (at most 4 · 65,535, so no lane carries into the next).
                    let weights := and(w, WEIGHTS)
                    total := add(total, shr(192, mul(weights, LANES)))
                    // The training lanes are the load's bytes from ts on: drop its first ts - p
                    // bytes (none when the load starts inside the training list).
                    let lead := mul(gt(ts, p), sub(ts, p))
                    training := add(training, shr(192, mul(and(weights, shr(shl(3, lead), not(0))), LANES)))
                }
                for {} lt(p, groupEnd) { p := add(p, 8) } {
                    let w := calldataload(p)
                    unknown := or(unknown, iszero(lt(sub(shr(208, w), 1), contributionCount)))
                    let weight := and(shr(192, w), 0xffff)
                    total := add(total, weight)
                    training := add(training, mul(iszero(lt(p, ts)), weight))
                }
                total := sub(total, training)
                if gt(total, MAX_RECEIPT_WEIGHT) {
                    mstore(0, 0x9f81048000000000000000000000000000000000000000000000000000000000) // ReceiptWeightTooHigh(uint256,uint256)
                    mstore(4, groups)
                    mstore(0x24, total)
                    revert(0, 0x44)
                }
                if gt(training, MAX_RECEIPT_WEIGHT) {
                    mstore(0, 0xabbcf97c00000000000000000000000000000000000000000000000000000000) // TrainingWeightTooHigh(uint256,uint256)
                    mstore(4, groups)
                    mstore(0x24, training)
                    revert(0, 0x44)
                }
                groups := add(groups, 1)
            }
        }
    }

    /// @dev The first cited id outside 1..`contributionCount`, or type(uint256).max when none is
    /// (the groups are known to be well formed by then).
    function _firstUnknown(bytes calldata packed, uint256 contributionCount) private pure returns (uint256) {
        uint256 o;
        while (o < packed.length) {
            uint256 n = uint256(uint8(packed[o + 6])) + uint8(packed[o + 7]);
            o += CITATION_SIZE;
            for (uint256 end = o + n * CITATION_SIZE; o < end; o += CITATION_SIZE) {
                uint256 id = uint48(bytes6(packed[o:o + 6]));
                if (id == 0 || id > contributionCount) return id;
            }
        }
        return type(uint256).max;
    }
}
