// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title Scopes
/// @notice The uses an access grant can allow, as bits of a uint8.
library Scopes {
    /// @notice Fine-tune models on the Datanet's contributions.
    uint8 internal constant TRAIN = 1;
    /// @notice Retrieve contributions for answers (RAG) and cite them.
    uint8 internal constant RETRIEVE = 2;
    /// @notice Evaluate models against the Datanet's contributions.
    uint8 internal constant EVALUATE = 4;
    /// @notice Every scope.
    uint8 internal constant ALL = TRAIN | RETRIEVE | EVALUATE;

    /// @notice Whether `scopes` is non-empty and only holds known bits.
    function isValid(uint8 scopes) internal pure returns (bool) {
        return scopes != 0 && scopes & ~ALL == 0;
    }
}
