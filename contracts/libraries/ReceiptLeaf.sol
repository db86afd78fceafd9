// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAttributionLedger} from "../interfaces/IAttributionLedger.sol";

/// @title ReceiptLeaf
/// @notice The Merkle leaf of an answer receipt, in OpenZeppelin's standard-tree form with types
/// ["bytes32", "uint256", "bytes32", "uint256[]", "uint16[]", "uint256[]", "uint16[]", "bytes32"]
/// (id, model, answer hash, retrieval ids and weights, training ids and weights, details hash).
/// A receipt with no training influences hashes as ["bytes32", "uint256", "bytes32", "uint256[]",
/// "uint16[]", "bytes32"], the leaf before training influences, so receipts posted before keep
/// their leaves. The two encodings cannot collide: the first array's offset word differs.
library ReceiptLeaf {
    /// @notice The leaf for `r`.
    function hash(IAttributionLedger.Receipt calldata r) internal pure returns (bytes32) {
        if (r.trainingContributionIds.length == 0 && r.trainingWeights.length == 0) {
            return _leaf(abi.encode(r.receiptId, r.modelId, r.answerHash, r.contributionIds, r.weights, r.detailsHash));
        }
        // abi.encode of the (dynamic) struct is a 32-byte offset followed by exactly the flat
        // encoding of its eight fields; hashing past the offset avoids eight stack arguments.
        bytes memory encoded = abi.encode(r);
        bytes32 inner;
        assembly ("memory-safe") {
            inner := keccak256(add(encoded, 0x40), sub(mload(encoded), 0x20))
        }
        return keccak256(bytes.concat(inner));
    }

    /// @notice The leaf for a receipt without training influences (the pre-receipt/3 form).
    function hash(IAttributionLedger.RetrievalReceipt calldata r) internal pure returns (bytes32) {
        return _leaf(abi.encode(r.receiptId, r.modelId, r.answerHash, r.contributionIds, r.weights, r.detailsHash));
    }

    function _leaf(bytes memory encoded) private pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(encoded)));
    }
}
