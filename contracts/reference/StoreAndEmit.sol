// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title StoreAndEmit
/// @notice Gas reference for the benchmarks, not part of the protocol: the cheapest useful
/// registration (one new bytes32 slot and one event), measured in the same run as ours.
contract StoreAndEmit {
    /// @notice Emitted for every stored value.
    event Stored(uint256 indexed id, bytes32 value);

    mapping(uint256 id => bytes32) private _values;
    uint256 private _count;

    /// @notice Stores `value` under the next id.
    function store(bytes32 value) external {
        uint256 id = ++_count;
        _values[id] = value;
        emit Stored(id, value);
    }
}
