// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {DatanetRegistry} from "../../contracts/datanet/DatanetRegistry.sol";
import {DatanetKeys} from "../../contracts/keys/DatanetKeys.sol";
import {IDatanets} from "../../contracts/interfaces/IDatanets.sol";
import {TestBase} from "../lib/Vm.sol";

/// Property: only the Datanet's owner moves its key; each of their sets bumps the version by
/// exactly one and leaves the key and URL they set, whatever strangers try in between.
contract DatanetKeysFuzzTest is TestBase {
    DatanetRegistry internal registry;
    DatanetKeys internal keys;
    address internal constant OWNER = address(0x0B0B);
    uint256 internal datanetId;

    function setUp() public {
        registry = new DatanetRegistry();
        keys = new DatanetKeys(registry);
        vm.prank(OWNER);
        datanetId = registry.createDatanet(
            "ipfs://m", "MIT", IDatanets.AccessPolicy.Permissioned, IDatanets.ContributionPolicy.Curated
        );
    }

    function testFuzz_OnlyOwnerMovesTheKey(
        address[6] calldata strangers,
        uint8[6] calldata who,
        bytes32[6] calldata publicKeys
    ) public {
        uint64 version;
        bytes32 current;
        for (uint256 i; i < strangers.length; ++i) {
            // Half the calls come from the owner, so owner sets are exercised as often as refusals.
            address caller = who[i] % 2 == 0 ? OWNER : strangers[i];
            vm.prank(caller);
            (bool ok,) =
                address(keys).call(abi.encodeCall(keys.setEncryptionKey, (datanetId, publicKeys[i], "http://k")));
            bool allowed = caller == OWNER && publicKeys[i] != bytes32(0);
            assertTrue(ok == allowed, "set succeeded for a stranger or failed for the owner");
            if (ok) {
                ++version;
                current = publicKeys[i];
            }
            (bytes32 key, uint64 v,) = keys.encryptionKey(datanetId);
            assertEq(v, version, "version moved without an owner's set");
            assertTrue(key == current, "key is not the owner's last");
        }
    }

    function testFuzz_OwnerSetsAlwaysBump(bytes32 publicKey, uint8 times) public {
        vm.assume(publicKey != bytes32(0));
        vm.startPrank(OWNER);
        for (uint256 i; i < times % 16; ++i) {
            assertEq(keys.setEncryptionKey(datanetId, publicKey, "http://k"), i + 1, "version is not the count of sets");
        }
        vm.stopPrank();
    }
}
