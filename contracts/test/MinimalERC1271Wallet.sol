// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title MinimalERC1271Wallet
/// @notice Test only, not part of the protocol (never deployed by scripts/deploy.ts): the smallest
/// ERC-1271 contract wallet, whose signatures are its owner EOA's. The key service's tests sign
/// requests "as" this wallet to check that contract signers are accepted.
contract MinimalERC1271Wallet {
    /// @dev `bytes4(keccak256("isValidSignature(bytes32,bytes)"))`, ERC-1271's "valid".
    bytes4 private constant _ERC1271_MAGIC = 0x1626ba7e;

    /// @notice The EOA whose signatures this wallet accepts.
    address public immutable owner;

    /// @param owner_ The EOA whose signatures this wallet accepts.
    constructor(address owner_) {
        owner = owner_;
    }

    /// @notice ERC-1271: valid when `signature` is the owner's ECDSA signature of `hash`.
    /// @param hash The signed digest (for a personal message, its EIP-191 hash).
    /// @param signature A 65-byte ECDSA signature.
    /// @return The magic value when valid, else 0xffffffff.
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError failure,) = ECDSA.tryRecover(hash, signature);
        return failure == ECDSA.RecoverError.NoError && signer == owner ? _ERC1271_MAGIC : bytes4(0xffffffff);
    }
}
