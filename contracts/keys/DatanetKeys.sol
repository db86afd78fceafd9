// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IDatanetKeys} from "../interfaces/IDatanetKeys.sol";
import {IDatanets} from "../interfaces/IDatanets.sol";

/// @title DatanetKeys
/// @notice Encryption keys of permissioned Datanets, set by each Datanet's owner as the
/// DatanetRegistry reports it. A registry of its own so the Datanet contract stays as it is;
/// one slot per Datanet (key version) plus the key and URL the GUI reads.
contract DatanetKeys is IDatanetKeys {
    struct Key {
        bytes32 publicKey;
        uint64 version;
        string keyServiceURI;
    }

    /// @notice The registry that says who owns each Datanet.
    IDatanets public immutable datanets;

    mapping(uint256 datanetId => Key) private _keys;

    /// @param datanetRegistry The DatanetRegistry answering `datanetOwner`.
    constructor(IDatanets datanetRegistry) {
        if (address(datanetRegistry) == address(0)) revert ZeroAddress();
        datanets = datanetRegistry;
    }

    /// @inheritdoc IDatanetKeys
    function setEncryptionKey(uint256 datanetId, bytes32 publicKey, string calldata keyServiceURI)
        external
        returns (uint64 version)
    {
        // Reverts with DatanetNotFound for an unknown id.
        if (datanets.datanetOwner(datanetId) != msg.sender) revert NotDatanetOwner(datanetId, msg.sender);
        if (publicKey == bytes32(0)) revert EmptyPublicKey(datanetId);
        if (bytes(keyServiceURI).length == 0) revert EmptyKeyServiceURI(datanetId);
        Key storage k = _keys[datanetId];
        // A version per owner transaction: uint64 cannot overflow in practice.
        unchecked {
            version = k.version + 1;
        }
        k.publicKey = publicKey;
        k.version = version;
        k.keyServiceURI = keyServiceURI;
        emit DatanetKeySet(datanetId, version, publicKey, keyServiceURI);
    }

    /// @inheritdoc IDatanetKeys
    function encryptionKey(uint256 datanetId)
        external
        view
        returns (bytes32 publicKey, uint64 version, string memory keyServiceURI)
    {
        Key storage k = _keys[datanetId];
        return (k.publicKey, k.version, k.keyServiceURI);
    }
}
