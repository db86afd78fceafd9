// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {AccessGrants} from "./AccessGrants.sol";
import {Contributions} from "./Contributions.sol";
import {Datanets} from "./Datanets.sol";

/// @title DatanetRegistry
/// @notice The data side of ModelFactory at one address: Datanets, their contributions and who
/// may use them. Each concern lives in its own abstract contract; they share the Datanet
/// record so policy and approver checks stay internal and cheap.
contract DatanetRegistry is Datanets, Contributions, AccessGrants {
    /// @notice EIP-712 domain name of the access grants.
    string public constant EIP712_NAME = "ModelFactory DatanetRegistry";
    /// @notice EIP-712 domain version of the access grants.
    string public constant EIP712_VERSION = "1";

    constructor() EIP712(EIP712_NAME, EIP712_VERSION) {}
}
