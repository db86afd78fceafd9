// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IDatanetKeys
/// @notice Binds a permissioned Datanet to its encryption public key (X25519) and the URL of the
/// key service that holds the matching secret, so a contributor's browser encrypts only for the
/// key its Datanet's owner published. Each set bumps the Datanet's key version; old versions stay
/// readable by the key service, which keeps their secrets.
interface IDatanetKeys {
    /// @notice Thrown when the Datanet registry address is zero at deployment.
    error ZeroAddress();
    /// @notice Thrown when the caller is not the Datanet's owner.
    /// @param datanetId The Datanet.
    /// @param caller The caller.
    error NotDatanetOwner(uint256 datanetId, address caller);
    /// @notice Thrown when the Datanet does not exist (raised by the registry and passed on).
    /// @param datanetId The unknown id.
    error DatanetNotFound(uint256 datanetId);
    /// @notice Thrown when the public key is zero.
    /// @param datanetId The Datanet.
    error EmptyPublicKey(uint256 datanetId);
    /// @notice Thrown when the key-service URL is empty.
    /// @param datanetId The Datanet.
    error EmptyKeyServiceURI(uint256 datanetId);

    /// @notice Emitted when a Datanet's owner sets or rotates its encryption key.
    /// @param datanetId The Datanet.
    /// @param version The key's version (1 for the first key, +1 per set).
    /// @param publicKey The X25519 public key contributors encrypt to.
    /// @param keyServiceURI Where requesters ask for a contribution's data key.
    event DatanetKeySet(uint256 indexed datanetId, uint64 version, bytes32 publicKey, string keyServiceURI);

    /// @notice Sets (or rotates) a Datanet's encryption key and key-service URL. Owner only.
    /// @return version The new key version.
    function setEncryptionKey(uint256 datanetId, bytes32 publicKey, string calldata keyServiceURI)
        external
        returns (uint64 version);

    /// @notice A Datanet's current encryption key: zero key, version 0 and an empty URL when none
    /// was set (the GUI refuses to encrypt then).
    function encryptionKey(uint256 datanetId)
        external
        view
        returns (bytes32 publicKey, uint64 version, string memory keyServiceURI);
}
