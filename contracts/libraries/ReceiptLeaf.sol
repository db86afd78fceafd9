// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAttributionLedger} from "../interfaces/IAttributionLedger.sol";

/// @title ReceiptLeaf
/// @notice The Merkle leaf of an answer receipt, in OpenZeppelin's standard-tree form with types
/// ["bytes32", "uint256", "bytes32", "uint256[]", "uint16[]", "bytes32"].
library ReceiptLeaf {
    /// @notice The leaf for `r`.
    function hash(IAttributionLedger.Receipt calldata r) internal pure returns (bytes32) {
        return keccak256(
            bytes.concat(
                keccak256(abi.encode(r.receiptId, r.modelId, r.answerHash, r.contributionIds, r.weights, r.detailsHash))
            )
        );
    }
}
