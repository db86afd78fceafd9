// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Manifest
/// @notice Leaves of a training manifest's Merkle tree, in OpenZeppelin's standard-tree form
/// (double keccak of the ABI-encoded values), so OpenZeppelin's merkle-tree package builds
/// the same tree off chain with types ["uint8", "uint256", "bytes32"].
library Manifest {
    /// @notice The spec the job ran: id is the job id, hash the spec hash.
    uint8 internal constant KIND_SPEC = 0;
    /// @notice A contribution trained on: id and content hash.
    uint8 internal constant KIND_CONTRIBUTION = 1;
    /// @notice The model's training-influence index: id is the job id, hash the index file's sha256
    /// (of the plaintext, when the file is published sealed). Proven with `verifyManifestEntry`;
    /// never a contribution, so `challengeManifestEntry` cannot take it.
    uint8 internal constant KIND_INFLUENCE_INDEX = 2;

    /// @notice The leaf for one manifest entry.
    function leaf(uint8 kind, uint256 id, bytes32 contentHash) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(kind, id, contentHash))));
    }
}
